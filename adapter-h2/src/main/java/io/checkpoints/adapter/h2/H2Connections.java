package io.checkpoints.adapter.h2;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointStorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Opens H2 connections the way this library uses an H2 database: an embedded file or a named
 * in-memory database of this JVM, with the options' lock timeout. A host that runs its own SQL
 * next to the checkpoint store opens its connection here (or with any H2 URL of its own) and joins
 * it with {@link H2CheckpointStore#join}. Stateless and thread-safe.
 *
 * <p>File names: H2 keeps a database in one file whose name ends with {@code .mv.db}. A path with
 * that ending names that file; any other path gets the ending appended ({@code app.db} is the file
 * {@code app.db.mv.db}), as H2 itself names its files.
 */
public final class H2Connections {

  /** The ending of H2's database files. */
  public static final String FILE_SUFFIX = ".mv.db";

  /** Names that are safe inside an H2 URL: no separators, no settings. */
  private static final Pattern MEMORY_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

  private H2Connections() {}

  /**
   * The file H2 keeps the database {@code file} in.
   *
   * @param file a database file, with or without the {@value #FILE_SUFFIX} ending
   * @return the absolute path of the file, ending with {@value #FILE_SUFFIX}
   */
  public static Path databaseFile(Path file) {
    Objects.requireNonNull(file, "file");
    Path absolute = file.toAbsolutePath().normalize();
    Path name = absolute.getFileName();
    if (name == null) {
      throw new CheckpointArgumentException("an H2 database needs a file name, got " + file);
    }
    String text = name.toString();
    return text.endsWith(FILE_SUFFIX) && text.length() > FILE_SUFFIX.length()
        ? absolute
        : absolute.resolveSibling(text + FILE_SUFFIX);
  }

  /**
   * Opens (and creates, if missing) the embedded database file.
   *
   * @param file the database file (see the class documentation for its name); its directory must
   *     exist
   * @param options the lock timeout
   * @return a connection in autocommit mode, owned by the caller
   * @throws CheckpointArgumentException if the path cannot be put in an H2 URL (it contains
   *     {@code ;}) or its directory does not exist
   * @throws CheckpointStorageException if the database cannot be opened, for example because
   *     another process has it open
   */
  public static Connection open(Path file, H2StoreOptions options) {
    Objects.requireNonNull(options, "options");
    Path databaseFile = databaseFile(file);
    String path = databaseFile.toString();
    if (path.indexOf(';') >= 0) {
      throw new CheckpointArgumentException(
          "an H2 database path must not contain ';' (it separates the settings of an H2 URL), got " + file);
    }
    Path directory = databaseFile.getParent();
    if (directory == null || !java.nio.file.Files.isDirectory(directory)) {
      throw new CheckpointArgumentException("the directory of the H2 database " + file + " does not exist");
    }
    String base = path.substring(0, path.length() - FILE_SUFFIX.length());
    return connect("jdbc:h2:file:" + base, options, databaseFile.toString());
  }

  /**
   * Opens a connection to the named in-memory database of this JVM, creating it if no connection
   * has it open. It lives as long as any connection to it is open: closing the last one discards
   * it.
   *
   * @param name letters, digits, {@code _}, {@code .} and {@code -}
   * @param options the lock timeout
   * @return a connection in autocommit mode, owned by the caller
   * @throws CheckpointArgumentException if the name has other characters
   */
  public static Connection openInMemory(String name, H2StoreOptions options) {
    Objects.requireNonNull(options, "options");
    if (name == null || !MEMORY_NAME.matcher(name).matches()) {
      throw new CheckpointArgumentException("an in-memory H2 database name must be 1 to 200 letters,"
          + " digits, '_', '.' or '-', got " + (name == null ? "null" : "\"" + name + "\""));
    }
    return connect("jdbc:h2:mem:" + name, options, "the in-memory database " + name);
  }

  /**
   * Opens a private in-memory database that only this connection reaches; closing it discards it.
   *
   * @param options the lock timeout
   * @return a connection in autocommit mode, owned by the caller
   */
  public static Connection openPrivateInMemory(H2StoreOptions options) {
    Objects.requireNonNull(options, "options");
    return connect("jdbc:h2:mem:", options, "a private in-memory database");
  }

  private static Connection connect(String url, H2StoreOptions options, String what) {
    Connection connection;
    try {
      // The driver directly, not DriverManager: a shaded or nested class loader may hide it there.
      connection = new org.h2.Driver().connect(url, new Properties());
    } catch (SQLException e) {
      throw H2Dialect.storageFailure("could not open " + what, e);
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCK_TIMEOUT " + options.lockTimeout().toMillis());
      return connection;
    } catch (SQLException e) {
      try {
        connection.close();
      } catch (SQLException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw H2Dialect.storageFailure("could not configure " + what, e);
    }
  }
}

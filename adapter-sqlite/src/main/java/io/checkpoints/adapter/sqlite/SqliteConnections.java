package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointStorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens sqlite-jdbc connections configured the way this library uses a PowerSync database: WAL
 * journal, a busy timeout, the chosen {@code synchronous} setting. A host that runs its own SQL
 * next to the checkpoint store (for example the SQL functions of {@link SqliteControlFunctions})
 * opens its connection here and joins it with {@link SqliteCheckpointStore#join}. A file nothing
 * in this library can use is refused here already, before anything is written to it ({@link
 * SqliteDatabaseFile}). Stateless and thread-safe.
 */
public final class SqliteConnections {

  private SqliteConnections() {}

  /**
   * Opens (and creates, if missing) the database file, after looking at it read-only: a file
   * nothing in this library can use is refused unchanged. A PowerSync database at version 13 or
   * a file of this library's earlier version is opened, for {@link SqliteMigrations}: a store
   * joined to it refuses it until it is migrated (to refuse such a file unchanged too, check
   * {@link SqliteDatabaseFile#requireUsableByStore} first).
   *
   * @param file the database file; its directory must exist
   * @param options the busy timeout and {@code synchronous} setting
   * @return a connection in autocommit mode, owned by the caller
   * @throws CheckpointArgumentException if the path is a directory
   * @throws SqliteFileRefusedException if the file is another application's database, not
   *     SQLite, or a PowerSync database at another version than 13 or 14 or with tables of
   *     another shape; the file is unchanged
   * @throws CheckpointStorageException if the file cannot be opened or switched to WAL
   */
  public static Connection open(Path file, SqliteStoreOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    SqliteDatabaseFile.inspect(file).requireUsableByLibrary();
    return openWal(file, options);
  }

  /**
   * Opens (and creates, if missing) the database file for a checkpoint store that will be joined
   * to the connection, after looking at it read-only once: a file the store would refuse is
   * refused here, unchanged. The same as {@link SqliteDatabaseFile#requireUsableByStore} followed
   * by {@link #open}, without reading the file twice (each look opens it read-only, which is a
   * noticeable share of a short command's run).
   *
   * @param file the database file; its directory must exist
   * @param options the busy timeout, the {@code synchronous} setting, and whether a version 13
   *     database is accepted (for a store that migrates it)
   * @return a connection in autocommit mode, owned by the caller
   * @throws CheckpointArgumentException if the path is a directory
   * @throws SqliteFileRefusedException if a checkpoint store with these options would refuse the
   *     file (see {@link SqliteDatabaseFile#requireUsableByStore}); the file is unchanged
   * @throws CheckpointStorageException if the file cannot be opened or switched to WAL
   */
  public static Connection openForStore(Path file, SqliteStoreOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    SqliteDatabaseFile.inspect(file).requireUsableByStore(options);
    return openWal(file, options);
  }

  /**
   * Opens a file that nothing may change through this connection, and without creating a
   * {@code -wal} or {@code -shm} file next to it: SQLite's read-only mode alone would create
   * (and leave) both for a database in WAL mode. Without a {@code -wal} or {@code -journal} file
   * the database file holds every committed transaction, so it is opened as immutable (no
   * locks, no side files); with one, another connection may be using it, so it is opened
   * read-only and SQLite reads the journal as usual.
   *
   * @param file an existing file
   * @return a read-only connection, owned by the caller
   * @throws SQLException if SQLite cannot open it
   */
  public static Connection openReadOnly(Path file) throws SQLException {
    Objects.requireNonNull(file, "file");
    Path absolute = file.toAbsolutePath();
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(10_000);
    boolean journalled = Files.exists(Path.of(absolute + "-wal"))
        || Files.exists(Path.of(absolute + "-journal"));
    if (journalled) {
      return config.createConnection("jdbc:sqlite:" + absolute);
    }
    config.setOpenMode(SQLiteOpenMode.OPEN_URI);
    return config.createConnection("jdbc:sqlite:" + absolute.toUri() + "?immutable=1");
  }

  /**
   * Opens a file for writing without switching its journal mode and without creating it: for a
   * migration, which must leave a file it refuses (or finds at the target version) as it was.
   */
  static Connection openExisting(Path file, SqliteStoreOptions options) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout((int) options.busyTimeout().toMillis());
    config.resetOpenMode(SQLiteOpenMode.CREATE);
    try {
      return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not open " + file, e);
    }
  }

  /** Opens (creating if missing) and switches to WAL, for a file already judged usable. */
  static Connection openWal(Path file, SqliteStoreOptions options) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout((int) options.busyTimeout().toMillis());
    Connection connection;
    try {
      connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not open " + file, e);
    }
    try (Statement statement = connection.createStatement()) {
      // The busy timeout comes first, so that switching a new file to WAL waits for the other
      // connections that may be doing the same.
      statement.execute("PRAGMA busy_timeout = " + options.busyTimeout().toMillis());
      String mode;
      try (ResultSet rs = statement.executeQuery("PRAGMA journal_mode = WAL")) {
        mode = rs.next() ? rs.getString(1) : null;
      }
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new CheckpointStorageException("SQLite: " + file + " could not be switched to the WAL"
            + " journal (it reports \"" + mode + "\"); a checkpoint store needs WAL");
      }
      statement.execute("PRAGMA synchronous = " + options.synchronous().name().toLowerCase(Locale.ROOT));
      return connection;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      if (e instanceof CheckpointStorageException storage) {
        throw storage;
      }
      throw SqliteDialect.storageFailure("could not configure " + file, e);
    }
  }
}

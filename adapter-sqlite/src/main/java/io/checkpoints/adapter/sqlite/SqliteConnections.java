package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointStorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import org.sqlite.SQLiteConfig;

/**
 * Opens sqlite-jdbc connections configured the way this library uses a PowerSync database: WAL
 * journal, a busy timeout, the chosen {@code synchronous} setting. A host that runs its own SQL
 * next to the checkpoint store (for example the SQL functions of {@link SqliteControlFunctions})
 * opens its connection here and joins it with {@link SqliteCheckpointStore#join}. Stateless and
 * thread-safe.
 */
public final class SqliteConnections {

  private SqliteConnections() {}

  /**
   * Opens (and creates, if missing) the database file.
   *
   * @param file the database file; its directory must exist
   * @param options the busy timeout and {@code synchronous} setting
   * @return a connection in autocommit mode, owned by the caller
   * @throws CheckpointStorageException if the file cannot be opened or switched to WAL
   */
  public static Connection open(Path file, SqliteStoreOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
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

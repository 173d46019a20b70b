package io.checkpoints.cli;

import io.checkpoints.adapter.sqlite.SqliteConnections;
import io.checkpoints.adapter.sqlite.SqliteDatabaseFile;
import io.checkpoints.adapter.sqlite.SqliteMigrations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;
import org.sqlite.SQLiteConfig;

/**
 * Plain-JDBC reads of a PowerSync database's checkpoint state, for {@code inspect} and
 * {@code repair}, at schema version 13 or 14, or in a file of this library's earlier version
 * (which keeps the version 14 keys). It goes around the store on purpose: the store would migrate
 * a version 13 file, refuse an earlier one, and install its TEMP trigger, and these commands must
 * see (and change) the file exactly as the reference core or the SDK left it. Not thread-safe: use
 * one per connection.
 */
final class PowerSyncDatabase {

  static final long MAX = Long.MAX_VALUE;

  /** The database is not one these commands can read: not PowerSync, or another schema version. */
  static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message);
    }
  }

  /** {@code $local} of a version 13 database. */
  record LegacyLocal(long lastAppliedOp, long lastOp, long targetOp) {}

  /**
   * What {@code inspect} reports; null fields mean "no row". A schema version of
   * {@link SqliteMigrations#NO_SCHEMA_VERSION} is a file of this library's earlier version.
   */
  record State(int schemaVersion, String clientId, Long target, Long lastRequested, Long lastSeen,
      Long lastApplied, long uploadQueue, LegacyLocal legacyLocal, long userSequences) {

    /** @return whether the file is one of this library's earlier version (no ps_migration) */
    boolean earlierLibraryVersion() {
      return schemaVersion == SqliteMigrations.NO_SCHEMA_VERSION;
    }
  }

  private final Connection connection;

  private PowerSyncDatabase(Connection connection) {
    this.connection = connection;
  }

  /**
   * Opens {@code file} read-only: nothing this connection does can change it, and it leaves no
   * {@code -wal} or {@code -shm} file behind.
   */
  static Connection openReadOnly(Path file) throws SQLException {
    return SqliteConnections.openReadOnly(file);
  }

  /** Opens {@code file} for a repair; the caller begins its own immediate transaction. */
  static Connection openWritable(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(10_000);
    // No auto-created file: a repair of a path that is not a database must not leave one behind.
    config.resetOpenMode(org.sqlite.SQLiteOpenMode.CREATE);
    return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  static PowerSyncDatabase on(Connection connection) {
    return new PowerSyncDatabase(connection);
  }

  /**
   * @return the schema version, 13 or 14, or {@link SqliteMigrations#NO_SCHEMA_VERSION} for a file
   *     of this library's earlier version (its checkpoint keys are those of version 14)
   */
  int schemaVersion() throws SQLException, Unsupported {
    return supportedVersion(SqliteDatabaseFile.of(null, connection));
  }

  /**
   * The version these commands read a file as, or why they cannot: what they work on is what the
   * library, the reference core and the PowerSync SDKs make.
   */
  static int supportedVersion(SqliteDatabaseFile contents) throws Unsupported {
    switch (contents.kind()) {
      case EARLIER_LIBRARY_VERSION:
        return SqliteMigrations.NO_SCHEMA_VERSION;
      case POWERSYNC:
        int version = contents.schemaVersion().orElse(0);
        if (version != SqliteMigrations.LEGACY_VERSION && version != SqliteMigrations.CURRENT_VERSION) {
          throw new Unsupported("schema version " + version + " is not supported (only 13 and 14)");
        }
        if (!contents.shapeProblems().isEmpty()) {
          throw new Unsupported(contents.describe() + ", but " + String.join("; ", contents.shapeProblems()));
        }
        return version;
      case EMPTY:
        throw new Unsupported("not a PowerSync database: " + contents.describe()
            + " (a checkpoint store would create a new PowerSync database in it)");
      case MISSING:
        throw new Unsupported("no such database file");
      default:
        throw new Unsupported(contents.describe()
            + (contents.shapeProblems().isEmpty() ? "" : " (" + String.join("; ", contents.shapeProblems()) + ")"));
    }
  }

  State read() throws SQLException, Unsupported {
    int version = schemaVersion();
    return new State(version, kvText("client_id"), kv("target_checkpoint_request_id"),
        kv("last_requested_checkpoint_request_id"), kv("last_seen_checkpoint_request_id"),
        kv("last_applied_checkpoint_request_id"), uploadQueue(),
        version == SqliteMigrations.LEGACY_VERSION ? legacyLocal() : null,
        tableExists("checkpoint_user_sequence")
            ? queryLong("SELECT count(*) FROM checkpoint_user_sequence").orElse(0) : 0);
  }

  long uploadQueue() throws SQLException {
    return tableExists("ps_crud") ? queryLong("SELECT count(*) FROM ps_crud").orElse(0) : 0;
  }

  LegacyLocal legacyLocal() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT CAST(last_applied_op AS INTEGER), CAST(last_op AS INTEGER),"
                + " CAST(target_op AS INTEGER) FROM ps_buckets WHERE name = '$local'")) {
      return rows.next() ? new LegacyLocal(rows.getLong(1), rows.getLong(2), rows.getLong(3)) : null;
    }
  }

  /**
   * A checkpoint key as the reference reads it ({@code CAST(value AS INTEGER)}), so that inspect
   * shows what the reference core acts on; null when there is no row.
   */
  Long kv(String key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = ?")) {
      statement.setString(1, key);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return null;
        }
        long value = rows.getLong(1);
        return rows.wasNull() ? null : value;
      }
    }
  }

  private String kvText(String key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT value FROM ps_kv WHERE key = ?")) {
      statement.setString(1, key);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private boolean tableExists(String name) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
      statement.setString(1, name);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  private OptionalLong queryLong(String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      if (rows.next()) {
        long value = rows.getLong(1);
        return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
      }
      return OptionalLong.empty();
    }
  }

  /** @return {@code MAX} for the sentinel, else the number */
  static String show(Long value) {
    return value == null ? "absent" : value == MAX ? "MAX" : Long.toString(value);
  }
}

package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointStorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Migrates a PowerSync database between schema version 13, which keeps the apply gate in the
 * {@code $local} row of {@code ps_buckets}, and version 14, which keeps it in {@code ps_kv}
 * (behaviour.md section 8), exactly as the reference core 0.5.3 does.
 *
 * <p>The up migration runs the reference's statements and records version 14 in
 * {@code ps_migration} with the reference's down migration, byte for byte
 * ({@link #downMigration14Json()}), so the reference core can migrate the database down again. The
 * down migration runs the statements stored in {@code ps_migration} row 14, as the reference does,
 * so a database the reference migrated up migrates down the same way. Each migration runs in one
 * transaction ({@code BEGIN IMMEDIATE}, or a savepoint inside the caller's open transaction) and
 * is idempotent: migrating to the version the database has changes nothing.
 *
 * <p>A file of this library's earlier version ({@link SqliteDatabaseFile.Kind#EARLIER_LIBRARY_VERSION}:
 * only {@code ps_kv}, {@code ps_crud}, {@code ps_tx} and the per-user sequence table, no
 * {@code ps_migration}) is upgraded in the same one transaction: the rest of the version 14 schema
 * is created around its tables, which keep their rows, and versions 1 to 14 are recorded as the
 * reference records them; then it is migrated down if the target is 13.
 *
 * <p>Any other file (another schema version, another application's database, an empty file) is
 * refused with a {@link CheckpointStorageException} that says what it is, before anything writes
 * to it; {@link #migrate(Path, int)} also leaves the journal mode as it is.
 *
 * <p>Stateless and thread-safe; a connection must not be used by two threads at once.
 */
public final class SqliteMigrations {

  /** Schema version 13: the gate in {@code ps_buckets.$local}. */
  public static final int LEGACY_VERSION = 13;

  /** Schema version 14: the gate in {@code ps_kv}; what the reference core 0.5.3 creates. */
  public static final int CURRENT_VERSION = 14;

  /**
   * The {@link Result#fromVersion()} of a file of this library's earlier version, which has no
   * {@code ps_migration} and so no schema version.
   */
  public static final int NO_SCHEMA_VERSION = 0;

  private static final String DOWN_MIGRATION_14 = PowerSyncSchema.resource("down-migration-14.json");

  /** The reference core's up migration 13 -> 14, statement by statement. */
  private static final List<String> UP_14 = List.of(
      "DELETE FROM ps_kv\n"
          + " WHERE key IN (\n"
          + "   'last_applied_checkpoint_request_id',\n"
          + "   'last_seen_checkpoint_request_id',\n"
          + "   'target_checkpoint_request_id'\n"
          + " )",
      "INSERT INTO ps_kv(key, value)\n"
          + "SELECT 'last_applied_checkpoint_request_id', last_applied_op\n"
          + "  FROM ps_buckets\n"
          + " WHERE name = '$local'\n"
          + "   AND last_applied_op > 0",
      "INSERT INTO ps_kv(key, value)\n"
          + "SELECT 'last_seen_checkpoint_request_id', last_op\n"
          + "  FROM ps_buckets\n"
          + " WHERE name = '$local'\n"
          + "   AND last_op > 0",
      "INSERT INTO ps_kv(key, value)\n"
          + "SELECT 'target_checkpoint_request_id', target_op\n"
          + "  FROM ps_buckets\n"
          + " WHERE name = '$local'\n"
          + "   AND target_op > 0",
      "DELETE FROM ps_buckets WHERE name = '$local'",
      "ALTER TABLE ps_buckets DROP COLUMN target_op");

  private SqliteMigrations() {}

  /**
   * What a migration did. Immutable and thread-safe.
   *
   * @param fromVersion the schema version before
   * @param toVersion the schema version after
   */
  public record Result(int fromVersion, int toVersion) {
    /** @return whether the migration changed the database */
    public boolean changed() {
      return fromVersion != toVersion;
    }

    /** @return whether the file was one of this library's earlier version, now a PowerSync database */
    public boolean upgradedEarlierLibraryFile() {
      return fromVersion == NO_SCHEMA_VERSION;
    }
  }

  /**
   * @return the down migration the reference core stores in {@code ps_migration} row 14: a JSON
   *     array of {@code {"sql": ...}} statements, 2024 bytes of UTF-8
   */
  public static String downMigration14Json() {
    return DOWN_MIGRATION_14;
  }

  /**
   * Reads the schema version: the highest id in {@code ps_migration}.
   *
   * @param connection a connection to the database
   * @return the version, or empty if the database has no {@code ps_migration} table (it is not a
   *     PowerSync database)
   * @throws CheckpointStorageException if the database could not be read
   */
  public static OptionalInt schemaVersion(Connection connection) {
    Objects.requireNonNull(connection, "connection");
    try (Handle handle = Jdbi.create(connection).open()) {
      return schemaVersion(handle);
    } catch (JdbiException e) {
      throw SqliteDialect.storageFailure("could not read the schema version", e);
    }
  }

  static OptionalInt schemaVersion(Handle handle) {
    boolean hasTable = handle.createQuery("SELECT EXISTS (SELECT 1 FROM sqlite_master"
            + " WHERE type = 'table' AND name = 'ps_migration')")
        .mapTo(Boolean.class)
        .one();
    if (!hasTable) {
      return OptionalInt.empty();
    }
    Integer version = handle.createQuery("SELECT max(id) FROM ps_migration")
        .mapTo(Integer.class)
        .one();
    return version == null ? OptionalInt.of(0) : OptionalInt.of(version);
  }

  /**
   * Migrates the database file to {@code targetVersion} on a connection of its own.
   *
   * @param file the PowerSync database file, or a file of this library's earlier version; it
   *     must exist
   * @param targetVersion {@link #LEGACY_VERSION} or {@link #CURRENT_VERSION}
   * @return the versions before and after
   * @throws CheckpointArgumentException if the target is neither 13 nor 14, or the file is missing
   *     or a directory
   * @throws SqliteFileRefusedException if the file is neither a PowerSync database at version 13
   *     or 14 nor a file of this library's earlier version; it is unchanged
   * @throws CheckpointStorageException if the migration failed (it was then rolled back)
   */
  public static Result migrate(Path file, int targetVersion) {
    Objects.requireNonNull(file, "file");
    requireSupportedTarget(targetVersion);
    // Read-only first: a file this refuses is left exactly as it was.
    SqliteDatabaseFile.inspect(file).requireMigratable();
    try (Connection connection = SqliteConnections.openExisting(file, SqliteStoreOptions.defaults())) {
      return migrate(connection, targetVersion);
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not close " + file, e);
    }
  }

  /**
   * Migrates the database to {@code targetVersion} on the caller's connection: in its open
   * transaction (inside a savepoint) if it has one, else in a transaction of its own.
   *
   * @param connection a sqlite-jdbc connection to a PowerSync database
   * @param targetVersion {@link #LEGACY_VERSION} or {@link #CURRENT_VERSION}
   * @return the versions before and after
   * @throws CheckpointArgumentException if the target is neither 13 nor 14
   * @throws CheckpointStorageException if the database is not at version 13 or 14, or the
   *     migration failed (it was then rolled back)
   */
  public static Result migrate(Connection connection, int targetVersion) {
    Objects.requireNonNull(connection, "connection");
    requireSupportedTarget(targetVersion);
    Handle handle = Jdbi.create(connection).open();
    try {
      return inTransaction(handle, () -> migrate(handle, targetVersion));
    } finally {
      handle.close(); // the connection itself stays open: Jdbi.create(Connection) never closes it
    }
  }

  static Result migrate(Handle handle, int targetVersion) {
    int from = requireMigratableVersion(handle);
    if (from == targetVersion) {
      return new Result(from, from);
    }
    if (from == NO_SCHEMA_VERSION) {
      PowerSyncSchema.create(handle);
      if (targetVersion == LEGACY_VERSION) {
        runStoredDownMigration(handle);
      }
    } else if (targetVersion == CURRENT_VERSION) {
      for (String statement : UP_14) {
        handle.execute(statement);
      }
      handle.createUpdate("INSERT INTO ps_migration(id, down_migrations) VALUES (14, :down)")
          .bind("down", DOWN_MIGRATION_14)
          .execute();
    } else {
      runStoredDownMigration(handle);
    }
    int to = schemaVersion(handle).orElse(-1);
    if (to != targetVersion) {
      throw new CheckpointStorageException("the migration from version " + from + " to "
          + targetVersion + " left the database at version " + to + "; it was rolled back");
    }
    return new Result(from, to);
  }

  /** Runs the statements of {@code ps_migration} row 14, as the reference core migrates down. */
  private static void runStoredDownMigration(Handle handle) {
    String stored = handle.createQuery("SELECT down_migrations FROM ps_migration WHERE id = 14")
        .mapTo(String.class)
        .findOne()
        .orElse(null);
    if (stored == null) {
      throw new CheckpointStorageException(
          "ps_migration row 14 holds no down migration, so the database cannot be migrated down");
    }
    boolean valid = handle.createQuery("SELECT CASE WHEN json_valid(:json) THEN json_type(:json) = 'array' ELSE 0 END")
        .bind("json", stored)
        .mapTo(Boolean.class)
        .one();
    if (!valid) {
      throw new CheckpointStorageException(
          "ps_migration row 14 holds a down migration that is not a JSON array of statements");
    }
    // SQLite parses the JSON, so the adapter needs no JSON library.
    List<Statement> statements = handle.createQuery(
            "SELECT json_extract(value, '$.sql') AS sql, json_extract(value, '$.params') AS params"
                + " FROM json_each(:json) ORDER BY key")
        .bind("json", stored)
        .map((rs, ctx) -> new Statement(rs.getString("sql"), rs.getString("params")))
        .list();
    for (Statement statement : statements) {
      if (statement.sql() == null) {
        throw new CheckpointStorageException(
            "ps_migration row 14 holds a down migration step without \"sql\"");
      }
      List<Object> params = statement.params() == null ? List.of()
          : handle.createQuery("SELECT value FROM json_each(:params) ORDER BY key")
              .bind("params", statement.params())
              .map((rs, ctx) -> rs.getObject(1))
              .list();
      var update = handle.createUpdate(statement.sql());
      for (int i = 0; i < params.size(); i++) {
        update.bind(i, params.get(i));
      }
      update.execute();
    }
  }

  private record Statement(String sql, String params) {}

  /** The version to migrate from, {@link #NO_SCHEMA_VERSION} for an earlier file of this library. */
  private static int requireMigratableVersion(Handle handle) {
    SqliteDatabaseFile contents;
    try {
      contents = SqliteDatabaseFile.of(null, handle.getConnection());
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not read the schema", e);
    }
    contents.requireMigratable();
    return contents.schemaVersion().orElse(NO_SCHEMA_VERSION);
  }

  /** Why a PowerSync schema version cannot be migrated, or empty for 13 and 14. */
  static Optional<String> unmigratableVersion(int found) {
    if (found > CURRENT_VERSION) {
      return Optional.of("the database is at schema version " + found
          + ", newer than this library knows (" + LEGACY_VERSION + " and " + CURRENT_VERSION
          + "); refusing to touch it");
    }
    if (found < LEGACY_VERSION) {
      return Optional.of("the database is at schema version " + found
          + ", older than " + LEGACY_VERSION + "; let the PowerSync SDK (powersync_init) bring it to "
          + LEGACY_VERSION + " or " + CURRENT_VERSION + " first");
    }
    return Optional.empty();
  }

  private static void requireSupportedTarget(int targetVersion) {
    if (targetVersion != LEGACY_VERSION && targetVersion != CURRENT_VERSION) {
      throw new CheckpointArgumentException("the target schema version must be " + LEGACY_VERSION
          + " or " + CURRENT_VERSION + ", got " + targetVersion);
    }
  }

  /**
   * Runs {@code work} in the connection's open transaction inside a savepoint, or else in a
   * {@code BEGIN IMMEDIATE} transaction of its own; rolls back what it did if it throws.
   */
  static <T> T inTransaction(Handle handle, java.util.function.Supplier<T> work) {
    boolean joined;
    try {
      joined = SqliteDialect.isInTransaction(handle.getConnection());
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not inspect the connection's transaction", e);
    }
    try {
      handle.execute(joined ? "SAVEPOINT checkpoints_migration" : "BEGIN IMMEDIATE");
    } catch (JdbiException e) {
      throw SqliteDialect.storageFailure("could not begin the migration's transaction", e);
    }
    T result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      try {
        if (joined) {
          handle.execute("ROLLBACK TO SAVEPOINT checkpoints_migration");
          handle.execute("RELEASE SAVEPOINT checkpoints_migration");
        } else {
          handle.execute("ROLLBACK");
        }
      } catch (RuntimeException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      if (e instanceof CheckpointException) {
        throw e;
      }
      throw SqliteDialect.storageFailure("the migration failed and was rolled back", e);
    }
    try {
      handle.execute(joined ? "RELEASE SAVEPOINT checkpoints_migration" : "COMMIT");
    } catch (JdbiException e) {
      if (!joined) {
        try {
          handle.execute("ROLLBACK");
        } catch (RuntimeException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
      }
      throw SqliteDialect.storageFailure("could not commit the migration", e);
    }
    return result;
  }

}

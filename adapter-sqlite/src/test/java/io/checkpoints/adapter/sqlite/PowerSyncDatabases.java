package io.checkpoints.adapter.sqlite;

import io.checkpoints.testkit.reference.ReferenceCore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** PowerSync databases made by the reference core, and dumps to compare databases with. */
final class PowerSyncDatabases {

  private PowerSyncDatabases() {}

  /** Work to run on a connection. */
  @FunctionalInterface
  interface SqlWork {
    void run(Connection connection) throws SQLException;
  }

  /** Creates a schema version 14 database with the reference core, then runs {@code setup}. */
  static Path version14(Path file, SqlWork setup) throws SQLException {
    try (Connection connection = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(connection);
      Sql.execute(connection, "UPDATE ps_kv SET value = 'test-client' WHERE key = 'client_id'");
      setup.run(connection);
    }
    return file;
  }

  /** Creates a schema version 13 database with the reference core, then runs {@code setup}. */
  static Path version13(Path file, SqlWork setup) throws SQLException {
    return version14(file, connection -> {
      ReferenceCore.inTransaction(connection, "SELECT powersync_test_migration(13)");
      setup.run(connection);
    });
  }

  /** Runs SQL with the reference core loaded, each statement in its own transaction. */
  static void withReference(Path file, String... statements) throws SQLException {
    try (Connection connection = ReferenceCore.get().open(file)) {
      for (String statement : statements) {
        ReferenceCore.inTransaction(connection, statement);
      }
    }
  }

  /** A copy of a closed database file. */
  static Path copy(Path file, Path target) throws IOException {
    return Files.copy(file, target);
  }

  /**
   * Everything a migration may touch: the schema (as a set, since a table rebuilt by a migration
   * moves to the end of {@code sqlite_master}), and every row of ps_buckets, ps_kv and
   * ps_migration, with SQL types.
   */
  static List<String> dump(Path file) throws SQLException {
    try (Connection connection = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      List<String> dump = new ArrayList<>();
      for (String row : Sql.rows(connection, "SELECT type, name, tbl_name, sql FROM sqlite_master"
          + " ORDER BY type, name")) {
        dump.add("schema " + row);
      }
      for (String row : Sql.rows(connection, "SELECT * FROM ps_buckets ORDER BY id")) {
        dump.add("ps_buckets " + row);
      }
      for (String row : Sql.rows(connection,
          "SELECT key, quote(value), typeof(value) FROM ps_kv ORDER BY key")) {
        dump.add("ps_kv " + row);
      }
      for (String row : Sql.rows(connection,
          "SELECT id, quote(down_migrations), typeof(down_migrations) FROM ps_migration ORDER BY id")) {
        dump.add("ps_migration " + row);
      }
      return dump;
    }
  }

  /** The schema version of a database file. */
  static int version(Path file) throws SQLException {
    try (Connection connection = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      return ((Number) Sql.value(connection, "SELECT max(id) FROM ps_migration")).intValue();
    }
  }
}

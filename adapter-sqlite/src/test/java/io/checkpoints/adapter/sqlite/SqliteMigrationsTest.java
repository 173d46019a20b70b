package io.checkpoints.adapter.sqlite;

import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.copy;
import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.dump;
import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.version;
import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.version13;
import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.version14;
import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.withReference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.reference.ReferenceCore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Migration 13 <-> 14 on databases the reference core produced, compared in both directions with
 * what the reference does to a copy of the same file, and across: the reference migrates down what
 * this library migrated up, and this library migrates down what the reference migrated up.
 */
class SqliteMigrationsTest {

  private static final String MAX = "9223372036854775807";

  @TempDir Path directory;

  /** A real bucket next to the legacy {@code $local} row, as NOTES.md section e sets up. */
  private static final String BUCKET = "INSERT INTO ps_buckets(id, name, last_applied_op, last_op)"
      + " VALUES (1, 'b1', 11, 12)";

  static Stream<Arguments> legacyRows() {
    return Stream.of(
        Arguments.of("(5, 6, 7)", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op, last_op, target_op) VALUES ('$local', 1, 5, 6, 7)", ""),
        Arguments.of("(0, 4, 0)", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op, last_op, target_op) VALUES ('$local', 1, 0, 4, 0)", ""),
        Arguments.of("(0, 0, MAX)", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op, last_op, target_op) VALUES ('$local', 1, 0, 0, " + MAX + ")", ""),
        Arguments.of("no $local", "SELECT 1", ""),
        Arguments.of("(-1, -2, -3)", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op, last_op, target_op) VALUES ('$local', 1, -1, -2, -3)", ""),
        Arguments.of("(5, 6, 7) and old keys", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op, last_op, target_op) VALUES ('$local', 1, 5, 6, 7)",
            "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('last_seen_checkpoint_request_id', 99),"
                + " ('target_checkpoint_request_id', 98), ('last_requested_checkpoint_request_id', 97),"
                + " ('last_applied_checkpoint_request_id', 96)"));
  }

  private Path legacyDatabase(String name, String local, String kv) throws Exception {
    return version13(directory.resolve(name + ".db"), connection -> {
      Sql.execute(connection, BUCKET);
      Sql.execute(connection, local);
      if (!kv.isEmpty()) {
        Sql.execute(connection, kv);
      }
    });
  }

  @ParameterizedTest(name = "$local {0}")
  @MethodSource("legacyRows")
  @DisplayName("up: the same database as the reference's powersync_init, then both migrate down alike")
  void upMatchesTheReference(String description, String local, String kv) throws Exception {
    Path legacy = legacyDatabase("legacy", local, kv);
    List<String> before = dump(legacy);
    Path byReference = copy(legacy, directory.resolve("by-reference.db"));
    Path byUs = copy(legacy, directory.resolve("by-us.db"));

    withReference(byReference, "SELECT powersync_init()");
    SqliteMigrations.Result result = SqliteMigrations.migrate(byUs, 14);

    assertThat(result).isEqualTo(new SqliteMigrations.Result(13, 14));
    assertThat(result.changed()).isTrue();
    assertThat(dump(byUs)).isEqualTo(dump(byReference)).isNotEqualTo(before);
    assertThat(version(byUs)).isEqualTo(14);

    // Idempotent: a second migration changes nothing.
    assertThat(SqliteMigrations.migrate(byUs, 14)).isEqualTo(new SqliteMigrations.Result(14, 14));
    assertThat(dump(byUs)).isEqualTo(dump(byReference));

    // The reference migrates our database down as it migrates its own.
    withReference(byReference, "SELECT powersync_test_migration(13)");
    withReference(byUs, "SELECT powersync_test_migration(13)");
    assertThat(dump(byUs)).isEqualTo(dump(byReference));
    assertThat(version(byUs)).isEqualTo(13);
  }

  @Test
  @DisplayName("up: the $local values land in ps_kv as the reference notes say; the counter is kept")
  void upMovesTheGateIntoKeyValues() throws Exception {
    Path legacy = legacyDatabase("legacy", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op,"
        + " last_op, target_op) VALUES ('$local', 1, 5, 6, 7)",
        "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('last_requested_checkpoint_request_id', 97)");
    SqliteMigrations.migrate(legacy, 14);
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(legacy)) {
      store.inTransaction(tx -> {
        assertThat(tx.state().lastApplied()).contains(WriteCheckpoint.of(5));
        assertThat(tx.state().lastSeen()).contains(WriteCheckpoint.of(6));
        assertThat(tx.state().target()).contains(CheckpointRequestId.of(7));
        assertThat(tx.state().lastRequested()).contains(CheckpointRequestId.of(97));
        return null;
      });
    }
    assertThat(dump(legacy)).filteredOn(row -> !row.startsWith("ps_migration"))
        .noneMatch(row -> row.contains("$local"))
        .noneMatch(row -> row.contains("target_op"));
  }

  static Stream<Arguments> gateStates() {
    return Stream.of(
        Arguments.of("7, 6, 5", "('target_checkpoint_request_id', 7), ('last_seen_checkpoint_request_id', 6), ('last_applied_checkpoint_request_id', 5)"),
        Arguments.of("7, -, -", "('target_checkpoint_request_id', 7)"),
        Arguments.of("-, 6, 5", "('last_seen_checkpoint_request_id', 6), ('last_applied_checkpoint_request_id', 5)"),
        Arguments.of("MAX, -, -", "('target_checkpoint_request_id', " + MAX + ")"),
        Arguments.of("'abc', '1.5', -", "('target_checkpoint_request_id', 'abc'), ('last_seen_checkpoint_request_id', '1.5')"),
        Arguments.of("0, 0, 0", "('target_checkpoint_request_id', 0), ('last_seen_checkpoint_request_id', 0), ('last_applied_checkpoint_request_id', 0)"),
        Arguments.of("none", ""));
  }

  @ParameterizedTest(name = "target, seen, applied = {0}")
  @MethodSource("gateStates")
  @DisplayName("down: the same database as the reference's down migration; up again alike")
  void downMatchesTheReference(String description, String values) throws Exception {
    Path current = version14(directory.resolve("current.db"), connection -> {
      Sql.execute(connection, BUCKET);
      Sql.execute(connection, "INSERT OR REPLACE INTO ps_kv(key, value) VALUES"
          + " ('last_requested_checkpoint_request_id', 42)" + (values.isEmpty() ? "" : ", " + values));
    });
    Path byReference = copy(current, directory.resolve("by-reference.db"));
    Path byUs = copy(current, directory.resolve("by-us.db"));

    withReference(byReference, "SELECT powersync_test_migration(13)");
    assertThat(SqliteMigrations.migrate(byUs, 13)).isEqualTo(new SqliteMigrations.Result(14, 13));
    assertThat(dump(byUs)).isEqualTo(dump(byReference));
    assertThat(SqliteMigrations.migrate(byUs, 13).changed()).isFalse();

    withReference(byReference, "SELECT powersync_init()");
    SqliteMigrations.migrate(byUs, 14);
    assertThat(dump(byUs)).isEqualTo(dump(byReference));
  }

  @Test
  @DisplayName("down: a database the reference migrated up, migrated down by us as by the reference")
  void downOfADatabaseTheReferenceMigratedUp() throws Exception {
    Path legacy = legacyDatabase("legacy", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op,"
        + " last_op, target_op) VALUES ('$local', 1, 5, 6, 7)", "");
    withReference(legacy, "SELECT powersync_init()");
    Path byReference = copy(legacy, directory.resolve("by-reference.db"));
    Path byUs = copy(legacy, directory.resolve("by-us.db"));

    withReference(byReference, "SELECT powersync_test_migration(13)");
    SqliteMigrations.migrate(byUs, 13);

    assertThat(dump(byUs)).isEqualTo(dump(byReference))
        .anyMatch(row -> row.startsWith("ps_buckets") && row.contains("$local"));
  }

  @Test
  @DisplayName("the stored down migration is the reference's, byte for byte")
  void downMigrationIsTheReferences() throws Exception {
    byte[] ours = SqliteMigrations.downMigration14Json().getBytes(StandardCharsets.UTF_8);
    assertThat(ours).hasSize(2024);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ours)))
        .isEqualTo("fb886ed86e1acd3b399772bc6e6517dbd64c3cbdf3e3cc43240b9a26b3c21a64");
    try (Connection reference = ReferenceCore.get().openInMemory()) {
      ReferenceCore.initialize(reference);
      assertThat((String) Sql.value(reference, "SELECT down_migrations FROM ps_migration WHERE id = 14"))
          .isEqualTo(SqliteMigrations.downMigration14Json());
    }
  }

  @Test
  @DisplayName("a database of another application is refused, unchanged")
  void refusesAFileWithoutSchemaVersions() throws Exception {
    Path other = directory.resolve("other.db");
    try (Connection connection = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + other)) {
      Sql.execute(connection, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
    }
    List<String> tables = tables(other);
    assertThatThrownBy(() -> SqliteMigrations.migrate(other, 14))
        .isInstanceOf(SqliteFileRefusedException.class)
        .hasMessageContaining("not a PowerSync database")
        .hasMessageContaining("the table notes and no ps_migration table");
    assertThat(tables(other)).isEqualTo(tables);
  }

  @Test
  @DisplayName("a newer or older schema version is refused with a clear error, and nothing changes")
  void refusesUnknownVersions() throws Exception {
    Path newer = version14(directory.resolve("newer.db"), connection ->
        Sql.execute(connection, "INSERT INTO ps_migration(id, down_migrations) VALUES (15, '[]')"));
    List<String> before = dump(newer);
    for (int target : new int[] {13, 14}) {
      assertThatThrownBy(() -> SqliteMigrations.migrate(newer, target))
          .isInstanceOf(CheckpointStorageException.class)
          .hasMessageContaining("schema version 15, newer than this library knows (13 and 14)");
    }
    assertThat(dump(newer)).isEqualTo(before);

    Path older = version13(directory.resolve("older.db"), connection ->
        ReferenceCore.inTransaction(connection, "SELECT powersync_test_migration(12)"));
    assertThatThrownBy(() -> SqliteMigrations.migrate(older, 14))
        .isInstanceOf(CheckpointStorageException.class)
        .hasMessageContaining("schema version 12, older than 13");
    assertThat(version(older)).isEqualTo(12);
  }

  @Test
  @DisplayName("only 13 and 14 are targets; a missing file is an argument error")
  void refusesBadArguments() {
    Path missing = directory.resolve("missing.db");
    assertThatThrownBy(() -> SqliteMigrations.migrate(missing, 12))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessage("the target schema version must be 13 or 14, got 12");
    assertThatThrownBy(() -> SqliteMigrations.migrate(missing, 14))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("no database file at");
    assertThat(missing).doesNotExist();
  }

  @Test
  @DisplayName("a failing migration is rolled back whole")
  void failingMigrationRollsBack() throws Exception {
    Path broken = version14(directory.resolve("broken.db"), connection -> {
      Sql.execute(connection, BUCKET);
      Sql.execute(connection, "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('target_checkpoint_request_id', 7)");
      // A down migration that fails half-way: its first statement must not survive.
      Sql.execute(connection, "UPDATE ps_migration SET down_migrations ="
          + " '[{\"sql\":\"DELETE FROM ps_kv\"},{\"sql\":\"ALTER TABLE ps_buckets RENAME TO ps_buckets_14\"},"
          + "{\"sql\":\"SELECT no_such_function()\"}]' WHERE id = 14");
    });
    List<String> before = dump(broken);
    assertThatThrownBy(() -> SqliteMigrations.migrate(broken, 13))
        .isInstanceOf(CheckpointStorageException.class)
        .hasMessageContaining("no such function: no_such_function");
    assertThat(dump(broken)).isEqualTo(before);
  }

  @Test
  @DisplayName("a store refuses a version 13 database unless asked to migrate it")
  void storeAndLegacySchema() throws Exception {
    Path legacy = legacyDatabase("legacy", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op,"
        + " last_op, target_op) VALUES ('$local', 1, 0, 4, 9)", "");
    List<String> before = dump(legacy);
    assertThatThrownBy(() -> SqliteCheckpointStore.open(legacy))
        .isInstanceOf(CheckpointStorageException.class)
        .hasMessageContaining("schema version 13")
        .hasMessageContaining("migrate it to 14 first");
    assertThat(dump(legacy)).isEqualTo(before);

    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(legacy,
        SqliteStoreOptions.defaults().withLegacySchemaMigration(true))) {
      Optional<CheckpointRequestId> target = store.inTransaction(tx -> tx.state().target());
      Optional<WriteCheckpoint> lastSeen = store.inTransaction(tx -> tx.state().lastSeen());
      assertThat(target).contains(CheckpointRequestId.of(9));
      assertThat(lastSeen).contains(WriteCheckpoint.of(4));
    }
    assertThat(version(legacy)).isEqualTo(14);
    Path newer = version14(directory.resolve("newer.db"), connection ->
        Sql.execute(connection, "INSERT INTO ps_migration(id, down_migrations) VALUES (15, '[]')"));
    assertThatThrownBy(() -> SqliteCheckpointStore.open(newer))
        .isInstanceOf(CheckpointStorageException.class)
        .hasMessageContaining("schema version 15")
        .hasMessageContaining("refuses a newer one");
  }

  @Test
  @DisplayName("migrating on a caller's connection joins its open transaction")
  void migrationJoinsTheCallersTransaction() throws Exception {
    Path legacy = legacyDatabase("legacy", "INSERT INTO ps_buckets(name, pending_delete, last_applied_op,"
        + " last_op, target_op) VALUES ('$local', 1, 5, 6, 7)", "");
    List<String> before = dump(legacy);
    try (Connection connection = SqliteConnections.open(legacy, SqliteStoreOptions.defaults())) {
      Sql.execute(connection, "BEGIN IMMEDIATE");
      assertThat(SqliteMigrations.migrate(connection, 14).changed()).isTrue();
      assertThat(SqliteMigrations.schemaVersion(connection)).hasValue(14);
      Sql.execute(connection, "ROLLBACK");
      assertThat(SqliteMigrations.schemaVersion(connection)).hasValue(13);
    }
    assertThat(dump(legacy)).isEqualTo(before);
    assertThat(Optional.of(version(legacy))).contains(13);
  }

  private static List<String> tables(Path file) throws Exception {
    try (Connection connection = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      return Sql.rows(connection, "SELECT name, sql FROM sqlite_master ORDER BY name");
    }
  }
}

package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.testkit.reference.ReferenceCore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect and repair on databases the reference core made, one per state of issue 7. */
class InspectAndRepairCommandTest {

  private static final String MAX = Long.toString(Long.MAX_VALUE);

  @TempDir
  Path folder;

  private final CliHarness cli = new CliHarness();

  /** A version 14 database made by the reference core, then {@code statements} in one transaction each. */
  private Path version14(String... statements) throws SQLException {
    Path file = folder.resolve("v14.db");
    try (Connection connection = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(connection);
      ReferenceCore.inTransaction(connection,
          "UPDATE ps_kv SET value = 'inspect-client' WHERE key = 'client_id'");
      for (String statement : statements) {
        ReferenceCore.inTransaction(connection, statement);
      }
    }
    return file;
  }

  /** A version 13 database: the reference's own down migration, then {@code statements}. */
  private Path version13(String... statements) throws SQLException {
    Path file = folder.resolve("v13.db");
    try (Connection connection = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(connection);
      ReferenceCore.inTransaction(connection, "SELECT powersync_test_migration(13)");
      // The reference 0.5.3 never writes $local: the rows a version 13 SDK left are made by hand.
      for (String statement : statements) {
        ReferenceCore.inTransaction(connection, statement);
      }
    }
    return file;
  }

  private static String kv(String key, String value) {
    return "INSERT OR REPLACE INTO ps_kv(key, value) VALUES('" + key + "', " + value + ")";
  }

  private static String local(long lastApplied, long last, String target) {
    return "INSERT INTO ps_buckets(name, last_applied_op, last_op, target_op) VALUES('$local', "
        + lastApplied + ", " + last + ", " + target + ")";
  }

  private static final String QUEUED_WRITE =
      "INSERT INTO ps_crud(data, tx_id) VALUES('{\"op\":\"PUT\",\"type\":\"todos\",\"id\":\"1\"}', 1)";

  private String inspectJson(Path file) {
    CliHarness inspect = new CliHarness();
    assertThat(inspect.execute("inspect", "--json", file.toString())).isZero();
    assertThat(inspect.errText()).isEmpty();
    assertThat(inspect.outLines()).hasSize(1);
    return inspect.outLines().get(0);
  }

  @Nested
  class Inspect {

    @Test
    void idleOnAFreshDatabase() throws SQLException {
      String json = inspectJson(version14());
      assertThat(json).endsWith("\"}}").startsWith("{\"schema_version\": 14, \"client_id\": \"inspect-client\","
          + " \"target_checkpoint_request_id\": null, \"last_requested_checkpoint_request_id\": null,"
          + " \"last_seen_checkpoint_request_id\": null, \"last_applied_checkpoint_request_id\": null,"
          + " \"upload_queue\": 0, \"legacy_local\": null, \"user_sequences\": 0,"
          + " \"diagnosis\": {\"code\": \"idle\", \"message\": ");
    }

    @Test
    void uploadsPendingWinsOverATargetOfMax() throws SQLException {
      String json = inspectJson(version14(QUEUED_WRITE, kv("target_checkpoint_request_id", MAX)));
      assertThat(json).contains("\"target_checkpoint_request_id\": " + MAX)
          .contains("\"upload_queue\": 1")
          .contains("\"code\": \"uploads_pending\"");
    }

    @Test
    void awaitingACheckpointRequestWhenUploadsAreDoneAndTheTargetIsMax() throws SQLException {
      String json = inspectJson(version14(kv("target_checkpoint_request_id", MAX),
          kv("last_requested_checkpoint_request_id", "4")));
      assertThat(json).contains("\"last_requested_checkpoint_request_id\": 4")
          .contains("\"code\": \"awaiting_checkpoint_request\"");
    }

    @Test
    void awaitingAcknowledgementWhenTheTargetIsAboveLastSeen() throws SQLException {
      String json = inspectJson(version14(kv("target_checkpoint_request_id", "7"),
          kv("last_seen_checkpoint_request_id", "5"), kv("last_applied_checkpoint_request_id", "3")));
      assertThat(json).contains("\"target_checkpoint_request_id\": 7")
          .contains("\"last_seen_checkpoint_request_id\": 5")
          .contains("\"last_applied_checkpoint_request_id\": 3")
          .contains("\"code\": \"awaiting_acknowledgement\"");
    }

    @Test
    void syncedWhenTheTargetWasReached() throws SQLException {
      String json = inspectJson(version14(kv("target_checkpoint_request_id", "7"),
          kv("last_seen_checkpoint_request_id", "8")));
      assertThat(json).contains("\"code\": \"synced\"");
    }

    @Test
    void userSequencesAreCounted() throws SQLException {
      String json = inspectJson(version14(
          "CREATE TABLE checkpoint_user_sequence(user_key TEXT PRIMARY KEY NOT NULL,"
              + " last_request_id INTEGER NOT NULL) STRICT",
          "INSERT INTO checkpoint_user_sequence VALUES('a', 3), ('b', 9)"));
      assertThat(json).contains("\"user_sequences\": 2");
    }

    @Test
    void legacySchemaNamesTheStuckState() throws SQLException {
      String json = inspectJson(version13(local(5, 6, "7")));
      assertThat(json).startsWith("{\"schema_version\": 13,")
          .contains("\"legacy_local\": {\"last_applied_op\": 5, \"last_op\": 6, \"target_op\": 7}")
          .contains("\"code\": \"legacy_schema\"")
          .contains("target_op 7 is above last_op 6 with an empty upload queue: this is the stuck"
              + " state a crash during upload can leave");
    }

    @Test
    void legacySchemaWinsOverQueuedWrites() throws SQLException {
      String json = inspectJson(version13(local(0, 0, MAX), QUEUED_WRITE));
      assertThat(json).contains("\"upload_queue\": 1").contains("\"code\": \"legacy_schema\"")
          .contains("uploads pending").doesNotContain("stuck");
    }

    @Test
    void legacySchemaWithoutLocalHasNoGate() throws SQLException {
      String json = inspectJson(version13());
      assertThat(json).contains("\"legacy_local\": null").contains("no $local row, so there is no gate");
    }

    @Test
    void readsReadOnlyAndLeavesTheFileAsItWas() throws Exception {
      Path file = version13(local(5, 6, "7"));
      String before = sha256(file);
      inspectJson(file);
      assertThat(sha256(file)).isEqualTo(before);
      assertThat(schemaVersion(file)).isEqualTo(13);
    }

    @Test
    void textOutputNamesEveryField() throws SQLException {
      Path file = version14(kv("target_checkpoint_request_id", MAX));
      assertThat(cli.execute("inspect", file.toString())).isZero();
      assertThat(cli.out.toString()).contains("schema version:      14")
          .contains("target:              MAX")
          .contains("diagnosis:           awaiting_checkpoint_request: ");
    }

    @Test
    void aFileThatIsNotPowerSyncIsOneLineAndExitOne() throws IOException {
      Path file = folder.resolve("plain.db");
      Files.write(file, new byte[0]);
      assertThat(cli.execute("inspect", file.toString())).isEqualTo(1);
      assertThat(cli.errText().lines()).singleElement().asString()
          .isEqualTo("checkpoints inspect: cannot inspect " + file
              + ": not a PowerSync database: an empty database (no tables) (a checkpoint store would"
              + " create a new PowerSync database in it)");
    }

    @Test
    void aMissingFileIsAUsageError() {
      assertThat(cli.execute("inspect", folder.resolve("none.db").toString())).isEqualTo(2);
      assertThat(cli.errText()).startsWith("checkpoints inspect: no such database file: ");
      assertThat(folder.resolve("none.db")).doesNotExist();
    }
  }

  @Nested
  class Repair {

    @Test
    void clearsTheLegacyStuckTarget() throws Exception {
      Path file = version13(local(5, 6, "7"));
      assertThat(cli.execute("repair", file.toString(), "--clear-stuck-target")).isZero();
      assertThat(cli.outLines()).containsExactly(
          "cleared the stuck gate: $local target_op 7 -> 0 (last_op 6)");
      assertThat(query(file, "SELECT last_applied_op || ',' || last_op || ',' || target_op"
          + " FROM ps_buckets WHERE name = '$local'")).isEqualTo("5,6,0");
      assertThat(schemaVersion(file)).isEqualTo(13);
    }

    @Test
    void refusesWhileWritesAreQueuedAndChangesNothing() throws Exception {
      Path file = version13(local(5, 6, "7"), QUEUED_WRITE);
      String before = sha256(file);
      assertThat(cli.execute("repair", file.toString(), "--clear-stuck-target")).isEqualTo(1);
      assertThat(cli.errText().lines()).singleElement().asString()
          .startsWith("checkpoints repair: refused: 1 local write is queued in ps_crud");
      assertThat(cli.out.toString()).isEmpty();
      assertThat(sha256(file)).isEqualTo(before);
    }

    @Test
    void deletesAConcreteTargetOnVersion14() throws Exception {
      Path file = version14(kv("target_checkpoint_request_id", "7"),
          kv("last_seen_checkpoint_request_id", "5"));
      assertThat(cli.execute("repair", file.toString(), "--clear-stuck-target")).isZero();
      assertThat(cli.outLines()).containsExactly(
          "cleared the stuck gate: deleted target_checkpoint_request_id 7 (last seen 5)");
      assertThat(inspectJson(file)).contains("\"code\": \"idle\"")
          .contains("\"last_seen_checkpoint_request_id\": 5");
    }

    @Test
    void refusesAVersion14TargetWithQueuedWrites() throws Exception {
      Path file = version14(QUEUED_WRITE, kv("target_checkpoint_request_id", "7"));
      assertThat(cli.execute("repair", file.toString(), "--clear-stuck-target")).isEqualTo(1);
      assertThat(query(file, "SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'"))
          .isEqualTo("7");
    }

    @Test
    void nothingToClear() throws Exception {
      Path file = version14(kv("target_checkpoint_request_id", MAX));
      assertThat(cli.execute("repair", file.toString(), "--clear-stuck-target")).isZero();
      assertThat(cli.outLines()).singleElement().asString().startsWith("nothing to clear: the target is MAX");
      assertThat(query(file, "SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'"))
          .isEqualTo(MAX);
    }

    @Test
    void withoutARepairItIsAUsageError() throws Exception {
      Path file = version14();
      assertThat(cli.execute("repair", file.toString())).isEqualTo(2);
      assertThat(cli.errText().lines()).singleElement().asString()
          .isEqualTo("checkpoints repair: no repair chosen: give --clear-stuck-target"
              + " (see 'checkpoints repair --help')");
    }

    @Test
    void help() {
      assertThat(cli.execute("repair", "--help")).isZero();
      assertThat(cli.out.toString()).contains("--clear-stuck-target").contains("Exit status:");
    }
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static long schemaVersion(Path file) throws SQLException {
    return Long.parseLong(query(file, "SELECT max(id) FROM ps_migration"));
  }

  private static String query(Path file, String sql) throws SQLException {
    try (Connection connection = PowerSyncDatabase.openReadOnly(file);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }
}

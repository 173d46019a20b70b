package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz: 10,000 generated calls of the SQL functions ({@code powersync_control} with valid, unknown
 * and Java-API-only operations, the two aliases, wrong arities) with generated payloads of every
 * SQL type, in and out of transactions, with and without an iteration. Each call returns an INTEGER
 * or NULL, or fails with an SQLException carrying the function's own message (no Java exception
 * text); after a failure the checkpoint keys are unchanged and the caller's transaction still
 * commits. {@code -Dcheckpoints.fuzz.seed=N} replays a reported failure.
 */
class SqliteControlFunctionsFuzzTest {

  static final int INPUTS = 10_000;

  @TempDir Path directory;

  private static final List<String> OPS = List.of("seed_checkpoint_request_id", "next_checkpoint_request_id",
      "current_checkpoint_request_id", "target_checkpoint_request_id", "NEXT_CHECKPOINT_REQUEST_ID",
      "start", "stop", "line_text", "completed_upload", "", "seed", " next_checkpoint_request_id");

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyGeneratedCallGivesAnIntegerOrTheFunctionsErrorAndChangesNothingOnError() throws Exception {
    long seed = Long.getLong("checkpoints.fuzz.seed", 0x5EED_F022L);
    SplittableRandom random = new SplittableRandom(seed);
    Connection connection = SqliteConnections.open(directory.resolve("fuzz.db"), SqliteStoreOptions.defaults());
    int results = 0;
    int errors = 0;
    try (connection; SqliteCheckpointStore store = SqliteCheckpointStore.join(connection);
         Statement statement = connection.createStatement()) {
      SyncClient client = SyncClient.create(store);
      SqliteControlFunctions.register(connection, client.control());
      for (int i = 0; i < INPUTS; i++) {
        if (random.nextInt(50) == 0) {
          switch (random.nextInt(3)) {
            case 0 -> client.start(CheckpointMode.REQUESTS);
            case 1 -> client.start(CheckpointMode.LEGACY);
            default -> client.stop();
          }
        }
        String sql = "SELECT " + call(random);
        boolean inTransaction = random.nextInt(10) != 0;
        if (inTransaction) {
          statement.execute("BEGIN IMMEDIATE");
        }
        List<String> before = keys(statement);
        try (ResultSet rs = statement.executeQuery(sql)) {
          assertThat(rs.next()).isTrue();
          Object value = rs.getObject(1);
          assertThat(value == null || value instanceof Long || value instanceof Integer)
              .as("call %d of seed %d: %s returned %s", i, seed, sql, value).isTrue();
          results++;
        } catch (SQLException e) {
          String message = String.valueOf(e.getMessage());
          assertThat(message).as("call %d of seed %d: %s", i, seed, sql)
              .containsAnyOf("powersync_control", "powersync_next_checkpoint_request_id",
                  "powersync_probe_local_target_op", "wrong number of arguments")
              .doesNotContain("Exception", "java.", "\tat ");
          assertThat(keys(statement)).as("call %d of seed %d changed the keys though it failed: %s", i, seed, sql)
              .isEqualTo(before);
          errors++;
        }
        if (inTransaction) {
          statement.execute("COMMIT");
        }
      }
      assertThat(Sql.value(connection, "PRAGMA integrity_check")).isEqualTo("ok");
    }
    System.out.printf("fuzz SQL functions: seed %d, %d calls: %d results, %d errors with the function's message%n",
        seed, INPUTS, results, errors);
    assertThat(results).isPositive();
    assertThat(errors).isPositive();
  }

  private static String call(SplittableRandom random) {
    return switch (random.nextInt(10)) {
      case 0 -> "powersync_next_checkpoint_request_id(" + (random.nextInt(4) == 0 ? payload(random) : "") + ")";
      case 1 -> "powersync_probe_local_target_op(" + payload(random) + ")";
      case 2 -> "powersync_control(" + payload(random) + ")";
      case 3 -> "powersync_control(" + payload(random) + ", " + payload(random) + ", " + payload(random) + ")";
      default -> "powersync_control('" + OPS.get(random.nextInt(OPS.size())) + "', " + payload(random) + ")";
    };
  }

  private static String payload(SplittableRandom random) {
    return switch (random.nextInt(9)) {
      case 0 -> "NULL";
      case 1 -> Long.toString(random.nextLong(-10, 1_000));
      case 2 -> Long.toString(random.nextLong());
      case 3 -> "'" + random.nextLong(0, 1_000) + "'";
      case 4 -> "'" + List.of("+", "-", "0", " ", "", "0x", "1e").get(random.nextInt(7)) + random.nextLong(0, 99) + "'";
      case 5 -> random.nextInt(1000) + "." + random.nextInt(10);
      case 6 -> "x'" + Integer.toHexString(random.nextInt(0x10000) | 0x10000).substring(1) + "'";
      case 7 -> List.of("9223372036854775807", "'9223372036854775807'", "'9223372036854775808'",
          "9223372036854775808", "-9223372036854775808", "'-0'", "'abc'", "''", "1e400").get(random.nextInt(9));
      default -> "'" + "9".repeat(1 + random.nextInt(40)) + "'";
    };
  }

  private static List<String> keys(Statement statement) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery("SELECT key || '=' || quote(value) FROM ps_kv ORDER BY key")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}

package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.ports.CheckpointRequestId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash reliability (issue 8): SIGKILL of a child JVM during allocations mixed with local writes,
 * and during migrations 13 <-> 14, a few rounds each on the same file. After each kill the database
 * opens, {@code PRAGMA integrity_check} is ok, the counter is not behind any reported id, the queue
 * holds every reported write and the gate is armed; a migration is either fully applied or not at
 * all (the file equals the version 13 or the version 14 database exactly).
 */
class SqliteCrashReliabilityTest {

  @TempDir Path directory;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("SIGKILL during allocations and local writes loses no committed id or write")
  void killedDuringAllocationsAndWrites() throws Exception {
    Path file = directory.resolve("mixed.db");
    SplittableRandom random = new SplittableRandom();
    for (int round = 1; round <= 3; round++) {
      long lastId = -1;
      long lastWrite = -1;
      int killAfter = 100 + random.nextInt(600);
      Process child = child("mixed", file);
      int reported = 0;
      try (BufferedReader out = reader(child)) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("id ")) {
            long id = Long.parseLong(line.substring(3));
            assertThat(id).isGreaterThan(lastId);
            lastId = id;
          } else if (line.startsWith("write ")) {
            long sequence = Long.parseLong(line.substring(6));
            assertThat(sequence).isGreaterThan(lastWrite);
            lastWrite = sequence;
          }
          if (++reported == killAfter) {
            child.toHandle().destroyForcibly();
          }
        }
      }
      assertThat(child.waitFor()).as("killed by SIGKILL").isEqualTo(128 + 9);
      try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
        long counter = Reads.counter(store).map(CheckpointRequestId::value).orElseThrow();
        long queued = Reads.lastSequence(store);
        assertThat(integrity(store)).isEqualTo("ok");
        assertThat(counter).as("the counter covers every reported id").isGreaterThanOrEqualTo(lastId);
        assertThat(queued).as("the queue holds every reported write").isGreaterThanOrEqualTo(lastWrite);
        if (lastWrite > 0) {
          assertThat(Reads.target(store)).as("a queued write keeps the gate armed")
              .contains(CheckpointRequestId.MAX);
        }
        System.out.printf("crash (mixed): round %d: killed after %d lines; last id %d, counter %d; last write %d, queue mark %d%n",
            round, reported, lastId, counter, lastWrite, queued);
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("SIGKILL during migrations leaves version 13 or 14 exactly, never a mix")
  void killedDuringMigrations() throws Exception {
    Path file = PowerSyncDatabases.version13(directory.resolve("migrate.db"), connection ->
        Sql.execute(connection, "INSERT INTO ps_buckets(name, pending_delete, last_applied_op, last_op, target_op)"
            + " VALUES ('$local', 1, 5, 6, 7)"));
    // The two states a migration may leave, computed on copies: 13 -> 14 -> 13 -> 14 is stable.
    Path copy = PowerSyncDatabases.copy(file, directory.resolve("golden.db"));
    SqliteMigrations.migrate(copy, 14);
    SqliteMigrations.migrate(copy, 13);
    List<String> golden13 = PowerSyncDatabases.dump(copy);
    SqliteMigrations.migrate(copy, 14);
    List<String> golden14 = PowerSyncDatabases.dump(copy);
    assertThat(golden13).isNotEqualTo(golden14);
    SqliteMigrations.migrate(file, 14);
    SqliteMigrations.migrate(file, 13);
    assertThat(PowerSyncDatabases.dump(file)).isEqualTo(golden13);

    SplittableRandom random = new SplittableRandom();
    Set<Integer> seen = new java.util.TreeSet<>();
    for (int round = 1; round <= 3; round++) {
      int killAfter = 3 + random.nextInt(40);
      Process child = child("migrate", file);
      int reported = 0;
      int lastVersion = -1;
      try (BufferedReader out = reader(child)) {
        String line;
        while ((line = out.readLine()) != null) {
          assertThat(line).startsWith("version ");
          lastVersion = Integer.parseInt(line.substring(8));
          if (++reported == killAfter) {
            child.toHandle().destroyForcibly();
          }
        }
      }
      assertThat(child.waitFor()).as("killed by SIGKILL").isEqualTo(128 + 9);
      // Open (and recover the WAL) through a store-like connection first, then compare exactly.
      try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults())) {
        assertThat(Sql.value(connection, "PRAGMA integrity_check")).isEqualTo("ok");
      }
      int version = PowerSyncDatabases.version(file);
      seen.add(version);
      List<String> dump = PowerSyncDatabases.dump(file);
      assertThat(dump).as("round %d: a migration is applied fully or not at all", round)
          .isEqualTo(version == 13 ? golden13 : golden14);
      System.out.printf("crash (migration): round %d: killed after %d migrations (last reported version %d); file at version %d, identical to it%n",
          round, reported, lastVersion, version);
      if (version == 14) {
        SqliteMigrations.migrate(file, 13);
      }
    }
    assertThat(Files.exists(file)).isTrue();
  }

  private static String integrity(SqliteCheckpointStore store) {
    return store.inTransaction(tx -> {
      try {
        return String.valueOf(Sql.value(tx.unwrap(Connection.class).orElseThrow(), "PRAGMA integrity_check"));
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
    });
  }

  private static Process child(String mode, Path file) throws Exception {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        ReliabilityCrashChild.class.getName(), mode, file.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static BufferedReader reader(Process child) {
    return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
  }
}

package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.ports.CheckpointRequestId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety: a child JVM allocates ids in a loop on a database file and is killed with SIGKILL
 * at a random moment, twice in a row on the same file. Afterwards the counter is at least every id
 * the child reported as committed, and {@code PRAGMA integrity_check} is {@code ok}.
 */
class SqliteCrashTest {

  @TempDir Path directory;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("SIGKILL during allocation loses no committed id and leaves an intact database")
  void killedChildLosesNoCommittedId() throws Exception {
    Path file = directory.resolve("crash.db");
    SplittableRandom random = new SplittableRandom();
    long previous = 0;
    for (int round = 1; round <= 2; round++) {
      int killAfter = 200 + random.nextInt(800);
      // A quick-starting child: it runs for a second at most, so the C1 compiler is enough.
      Process child = new ProcessBuilder(javaExecutable(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-cp", System.getProperty("java.class.path"),
          CrashChild.class.getName(), file.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      long seeded = -1;
      long lastReported = -1;
      int reported = 0;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("seeded ")) {
            seeded = Long.parseLong(line.substring(7));
            continue;
          }
          assertThat(line).startsWith("committed ");
          long id = Long.parseLong(line.substring(10));
          assertThat(id).as("ids increase").isGreaterThan(lastReported);
          lastReported = id;
          if (++reported == killAfter) {
            // SIGKILL on Linux. Through the ProcessHandle, so that our end of the pipe stays open
            // and the ids printed before the kill are still read.
            child.toHandle().destroyForcibly();
          }
        }
      }
      assertThat(child.waitFor()).as("killed by SIGKILL").isEqualTo(128 + 9);
      assertThat(seeded).as("the seed continues from the previous run").isGreaterThanOrEqualTo(previous);
      assertThat(reported).isGreaterThanOrEqualTo(killAfter);

      long counter;
      try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
        counter = Reads.counter(store).map(CheckpointRequestId::value).orElseThrow();
        Connection connection = store.inTransaction(tx -> tx.unwrap(Connection.class).orElseThrow());
        assertThat(store.<Object>inTransaction(tx -> {
          try {
            return Sql.value(connection, "PRAGMA integrity_check");
          } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
          }
        })).isEqualTo("ok");
      }
      assertThat(counter).as("the counter covers every id reported committed").isGreaterThanOrEqualTo(lastReported);
      System.out.printf("crash: round %d: killed after %d reported ids; last reported %d, counter %d%n",
          round, reported, lastReported, counter);
      previous = counter;
    }
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}

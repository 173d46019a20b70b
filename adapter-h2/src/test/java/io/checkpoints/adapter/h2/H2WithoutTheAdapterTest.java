package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.ports.CheckpointRequestId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/h2.md promises about a database file opened by plain H2, without this adapter's jar (so
 * without the trigger's class): it opens and reads, every table but {@code ps_crud} takes writes,
 * an insert into {@code ps_crud} fails (no write enters the queue unarmed), and after dropping the
 * trigger it works, while the next store that opens the file creates the trigger again.
 */
class H2WithoutTheAdapterTest {

  @TempDir Path directory;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("plain H2 opens and reads the file, refuses inserts into ps_crud until the trigger is dropped")
  void plainH2() throws Exception {
    Path file = directory.resolve("app.db");
    try (H2CheckpointStore store = H2CheckpointStore.open(file)) {
      store.inTransaction(tx -> {
        tx.state().setLastRequested(CheckpointRequestId.of(41));
        return null;
      });
    }
    String url = "jdbc:h2:file:" + directory.resolve("app.db").toAbsolutePath();

    assertThat(plainH2(url, "SELECT CAST(\"VALUE\" AS VARCHAR) FROM ps_kv"
        + " WHERE \"KEY\" = 'last_requested_checkpoint_request_id'"))
        .doesNotContain("Error").contains("41");
    assertThat(plainH2(url, "INSERT INTO ps_tx(id, current_tx, next_tx) VALUES (7, NULL, 1)"))
        .doesNotContain("Error");
    assertThat(plainH2(url, "INSERT INTO ps_crud(data) VALUES ('{}')"))
        .contains("Error")
        .contains("LocalWriteArmingTrigger")
        .contains("not found");
    assertThat(plainH2(url, "SELECT count(*) FROM ps_crud")).doesNotContain("Error").contains("0");

    assertThat(plainH2(url, "DROP TRIGGER checkpoints_local_write_arms_gate")).doesNotContain("Error");
    assertThat(plainH2(url, "INSERT INTO ps_crud(data) VALUES ('{}')")).doesNotContain("Error");

    try (H2CheckpointStore store = H2CheckpointStore.open(file)) {
      assertThat(Reads.queueSize(store)).isEqualTo(1);
      // The write plain H2 queued without the trigger did not arm: the store cannot know of it.
      assertThat(Reads.target(store)).isEmpty();
      store.inTransaction(tx -> tx.unwrap(org.jdbi.v3.core.Handle.class).orElseThrow()
          .execute("INSERT INTO ps_crud(data) VALUES ('{}')"));
      assertThat(Reads.target(store))
          .as("the reopened store recreated the trigger").contains(CheckpointRequestId.MAX);
    }
  }

  /** Runs one statement with H2's own shell in a JVM whose class path holds H2 only. */
  private static String plainH2(String url, String sql) throws IOException, InterruptedException {
    String h2Jar = Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().getPath())
        .toString();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(List.of(java, "-cp", h2Jar, "org.h2.tools.Shell",
        "-url", url, "-sql", sql))
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the shell finished").isTrue();
    assertThat(process.exitValue()).as("shell exit status; output: %s", output).isZero();
    return output;
  }
}

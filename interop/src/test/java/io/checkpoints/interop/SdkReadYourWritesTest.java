package io.checkpoints.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes under replication lag with the PowerSync Kotlin SDK: checkpoints keep arriving
 * while the upload waits for replication, and the SDK's row keeps its local value throughout.
 */
class SdkReadYourWritesTest extends InteropTest {

  static final Duration LAG = Duration.ofSeconds(2);

  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();

  /** Runs before the base class closes the SDK and the backend the ticker feeds. */
  @AfterEach
  void stopTicker() throws InterruptedException {
    ticker.shutdownNow();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void theLocalValueNeverRevertsWhileCheckpointsArriveBeforeTheWriteIsAcknowledged() {
    backend = new Backend(LAG);
    backend.putTodo("alice", "t1", "old");
    sdk = Sdk.open(directory, "lag.db");
    sdk.diagnostics = backend::describeLog;
    sdk.connect(Connector.forUser(backend.endpoint(), "alice"));
    sdk.awaitUntil("the server's row arrives", () -> sdk.title("t1").equals(Optional.of("old")));
    sdk.awaitSettled();
    // New checkpoints every 100 ms, as a busy service sends them: each carries the bucket with
    // the old value of t1 until the upload has replicated.
    ticker.scheduleAtFixedRate(backend.service::publishCheckpoint, 100, 100, TimeUnit.MILLISECONDS);

    long writtenAt = System.nanoTime();
    sdk.execute("UPDATE todos SET title = ? WHERE id = ?", "new", "t1");
    backend.putTodo("alice", "t2", "written on the server during the lag");

    Result samples = sampleUntilApplied();

    assertThat(samples.titles()).as("t1 sampled every 20 ms from the local write on")
        .hasSizeGreaterThan(20).containsOnly("new");
    assertThat(backend.serverTitle("alice", "t1")).contains("new");
    assertThat(sdk.title("t1")).isEqualTo(backend.serverTitle("alice", "t1"));
    assertThat(sdk.title("t2")).contains("written on the server during the lag");
    long heldCheckpoints = backend.logged("<- {\"checkpoint\":", writtenAt).stream()
        .filter(line -> line.nanoTime() < samples.appliedAt()).count();
    assertThat(heldCheckpoints).as("checkpoints streamed before the write was acknowledged")
        .isGreaterThanOrEqualTo(5);
    assertThat(samples.appliedAt() - writtenAt).as("applied only after the replication lag")
        .isGreaterThanOrEqualTo(LAG.toNanos());
  }

  record Result(List<String> titles, long appliedAt) {}

  /** Samples t1 until the server-side write t2 is applied, which it is only with the upload. */
  private Result sampleUntilApplied() {
    List<String> titles = new ArrayList<>();
    long deadline = System.nanoTime() + Sdk.DEADLINE.toNanos();
    while (sdk.title("t2").isEmpty() || sdk.count("SELECT count(*) FROM ps_crud") > 0) {
      titles.add(sdk.title("t1").orElse("<none>"));
      assertThat(System.nanoTime() - deadline).as("applied within the deadline").isNegative();
      Sdk.pause(Duration.ofMillis(20));
    }
    long appliedAt = System.nanoTime();
    titles.add(sdk.title("t1").orElse("<none>"));
    return new Result(titles, appliedAt);
  }
}

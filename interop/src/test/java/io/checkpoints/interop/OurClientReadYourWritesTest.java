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
 * The read-your-writes scenario of {@link SdkReadYourWritesTest}, driven by our own client with
 * the same service, lag, checkpoints and assertions.
 */
class OurClientReadYourWritesTest extends InteropTest {

  private OurClient ours;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void closeAll() throws InterruptedException {
    ticker.shutdownNow();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
    if (ours != null) {
      ours.close();
    }
  }

  @Test
  void theLocalValueNeverRevertsWhileCheckpointsArriveBeforeTheWriteIsAcknowledged()
      throws Exception {
    backend = new Backend(SdkReadYourWritesTest.LAG);
    backend.putTodo("alice", "t1", "old");
    ours = new OurClient(directory.resolve("ours.db"), backend.endpoint(), "alice");
    ours.connect();
    awaitUntil("the server's row arrives", () -> ours.title("t1").equals(Optional.of("old")));
    ticker.scheduleAtFixedRate(backend.service::publishCheckpoint, 100, 100, TimeUnit.MILLISECONDS);

    long writtenAt = System.nanoTime();
    ours.writeLocally("t1", "new");
    ours.upload();
    backend.putTodo("alice", "t2", "written on the server during the lag");

    List<String> titles = new ArrayList<>();
    long deadline = System.nanoTime() + Sdk.DEADLINE.toNanos();
    while (ours.title("t2").isEmpty() || !ours.queueEmpty()) {
      titles.add(ours.title("t1").orElse("<none>"));
      assertThat(System.nanoTime() - deadline).as("applied within the deadline").isNegative();
      Sdk.pause(Duration.ofMillis(20));
    }
    long appliedAt = System.nanoTime();
    titles.add(ours.title("t1").orElse("<none>"));

    assertThat(titles).as("t1 sampled every 20 ms from the local write on")
        .hasSizeGreaterThan(20).containsOnly("new");
    assertThat(ours.title("t1")).isEqualTo(backend.serverTitle("alice", "t1")).contains("new");
    assertThat(ours.title("t2")).contains("written on the server during the lag");
    long heldCheckpoints = backend.logged("<- {\"checkpoint\":", writtenAt).stream()
        .filter(line -> line.nanoTime() < appliedAt).count();
    assertThat(heldCheckpoints).as("checkpoints streamed before the write was acknowledged")
        .isGreaterThanOrEqualTo(5);
    assertThat(appliedAt - writtenAt).as("applied only after the replication lag")
        .isGreaterThanOrEqualTo(SdkReadYourWritesTest.LAG.toNanos());
  }

  private static void awaitUntil(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Sdk.DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting until " + what).isNegative();
      Sdk.pause(Duration.ofMillis(10));
    }
  }
}

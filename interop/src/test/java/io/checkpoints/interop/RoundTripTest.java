package io.checkpoints.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The round trips the end-to-end benchmark times end where docs/performance.md says: only once a
 * checkpoint covering the write was applied. Under a replication lag, that cannot happen before
 * the lag has passed, so a round trip that ended earlier (an end condition that holds too soon)
 * fails here; and the server holds the row, the queue is empty.
 */
@Timeout(60)
class RoundTripTest {

  private static final Duration LAG = Duration.ofMillis(600);

  @TempDir
  Path directory;

  private Backend backend;
  private RoundTrip roundTrip;

  @AfterEach
  void closeAll() throws Exception {
    if (roundTrip != null) {
      roundTrip.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void ourRoundTripEndsOnlyWhenTheCoveringCheckpointIsApplied() throws Exception {
    backend = Backend.withoutLog(LAG);
    roundTrip = new OurRoundTrip(backend, directory.resolve("ours.db"));
    assertEndsAfterTheLag();
  }

  @Test
  void sdkRoundTripEndsOnlyWhenTheCoveringCheckpointIsApplied() throws Exception {
    backend = Backend.withoutLog(LAG);
    roundTrip = new SdkRoundTrip(backend, directory, "sdk.db", 1);
    assertEndsAfterTheLag();
  }

  private void assertEndsAfterTheLag() throws Exception {
    for (String id : new String[] {"r1", "r2"}) {
      long started = System.nanoTime();
      roundTrip.run(id);
      long took = System.nanoTime() - started;

      assertThat(took).as("round trip of %s, ns", id).isGreaterThanOrEqualTo(LAG.toNanos());
      assertThat(backend.serverTitle(RoundTrip.USER, id)).contains("title of " + id);
      assertThat(roundTrip.queueEmpty()).isTrue();
    }
  }
}

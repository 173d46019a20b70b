package io.checkpoints.interop;

import java.time.Duration;

/**
 * One client's round trip from a local write to "synced", defined the same way for our client and
 * for the Kotlin SDK (docs/performance.md, "End to end against the Kotlin SDK"): the host inserts
 * one new row through the client's normal API; the client uploads it to the backend's upload
 * endpoint, gets the write checkpoint that covers it, and applies a checkpoint whose {@code
 * write_checkpoint} reaches that target; the round trip ends when the host learns that. The
 * end-to-end benchmark times {@link #run}; {@code RoundTripTest} checks that each side really ends
 * there. Not thread-safe: one round trip at a time.
 */
public interface RoundTrip extends AutoCloseable {

  /** The user both sides sync as. */
  String USER = "alice";

  /** The longest a round trip may take before it fails instead of hanging a benchmark. */
  Duration DEADLINE = Duration.ofSeconds(20);

  /**
   * Inserts the row {@code id} locally and returns once the client reports it synced.
   *
   * @param id a row id not used before on this client
   * @throws Exception if the round trip fails or takes longer than {@link #DEADLINE}
   */
  void run(String id) throws Exception;

  /**
   * @return whether the client's upload queue is empty
   */
  boolean queueEmpty();

  /** Disconnects and closes the client; throws nothing, so a benchmark's tear-down cannot fail. */
  @Override
  void close();
}

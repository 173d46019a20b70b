package io.checkpoints.ports;

import java.time.Instant;
import java.util.Objects;

/**
 * A failure the sync client met while talking to the service or handling the sync stream, kept
 * in the status so that a failure that is being retried is never silent. Immutable and
 * thread-safe.
 *
 * @param error what failed; its type says how (for example
 *     {@link CheckpointTransportException.Unreachable} or
 *     {@link CheckpointTransportException.Unauthorized})
 * @param at when it failed, by the client's wall clock
 */
public record SyncFailure(CheckpointException error, Instant at) {

  /**
   * @param error what failed
   * @param at when it failed
   * @throws NullPointerException if an argument is null
   */
  public SyncFailure {
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(at, "at");
  }

  @Override
  public String toString() {
    return error.getClass().getSimpleName() + " at " + at + ": " + error.getMessage();
  }
}

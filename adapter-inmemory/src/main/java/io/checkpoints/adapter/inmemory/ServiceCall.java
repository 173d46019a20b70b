package io.checkpoints.adapter.inmemory;

/**
 * The calls a {@link SimulatedCheckpointService} serves, each with its own queue of injected
 * {@link ServiceFault}s. Immutable and thread-safe.
 */
public enum ServiceCall {

  /** {@code POST /sync/checkpoint-request}: {@link SimulatedCheckpointService#acceptCheckpointRequest}. */
  CHECKPOINT_REQUEST,

  /** {@code GET /write-checkpoint2.json}: {@link SimulatedCheckpointService#legacyWriteCheckpoint}. */
  LEGACY_WRITE_CHECKPOINT,

  /**
   * {@code POST /sync/stream}: {@link SimulatedCheckpointService#openStream}. Only
   * {@link ServiceFault.Failure} faults apply: a stream has no single response to delay or drop
   * (use {@link SimulatedCheckpointService#disconnectStreams} to end streams instead).
   */
  OPEN_STREAM
}

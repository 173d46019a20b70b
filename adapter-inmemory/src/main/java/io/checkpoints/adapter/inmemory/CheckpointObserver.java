package io.checkpoints.adapter.inmemory;

/**
 * Told of every new checkpoint a {@link SimulatedCheckpointService} is about to stream, with the
 * replication position it reflects, so that a simulation can attach the source data as replicated
 * up to that position. Called while the service's lock is held: it must be quick and must not call
 * the service. Implementations are called from whichever thread changed the service, so they must
 * be thread-safe.
 */
@FunctionalInterface
public interface CheckpointObserver {
  /**
   * @param lastOpId the new checkpoint's {@code last_op_id}
   * @param replicatedPosition the replication position the checkpoint reflects
   */
  void onCheckpoint(long lastOpId, long replicatedPosition);
}

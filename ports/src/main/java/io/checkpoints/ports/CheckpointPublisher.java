package io.checkpoints.ports;

/**
 * Port implemented by the host: publishes a checkpoint's data when the gate lets it through.
 *
 * <p>It is called inside the store transaction that records {@code last_applied}, so a crash never
 * leaves one without the other; the host reaches its own connection through
 * {@link CheckpointTransaction#unwrap}. If it throws, the transaction rolls back and the line fails.
 * Implementations are called from whichever thread handles the sync line, one call at a time.
 */
@FunctionalInterface
public interface CheckpointPublisher {

  /** A publisher for hosts that keep no downloaded data (tests, tools): does nothing. */
  CheckpointPublisher NONE = (publication, transaction) -> {};

  /**
   * @param publication the checkpoint to publish
   * @param transaction the open transaction in which {@code last_applied} is recorded
   */
  void publish(CheckpointPublication publication, CheckpointTransaction transaction);
}

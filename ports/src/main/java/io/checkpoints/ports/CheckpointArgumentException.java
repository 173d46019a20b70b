package io.checkpoints.ports;

/**
 * A value was out of range or not in an accepted form. Nothing was changed. Immutable and
 * thread-safe.
 */
public class CheckpointArgumentException extends CheckpointException {

  private static final long serialVersionUID = 1L;

  /** @param message what was wrong and what was expected */
  public CheckpointArgumentException(String message) {
    super(message);
  }
}

package io.checkpoints.ports;

/**
 * The root of every exception this library throws. All are unchecked.
 *
 * <p>Subtypes say what went wrong: {@link CheckpointArgumentException} (a bad value),
 * {@link CheckpointStateException} (the operation is not allowed now), {@link SyncProtocolException}
 * (an unusable sync line), {@link CheckpointStorageException} (the store failed) and
 * {@link CheckpointWaitException} (a waiter could not complete). Instances are immutable and
 * thread-safe.
 */
public abstract class CheckpointException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what was wrong and what was expected */
  protected CheckpointException(String message) {
    super(message);
  }

  /**
   * @param message what was wrong and what was expected
   * @param cause the underlying failure
   */
  protected CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}

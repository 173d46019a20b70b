package io.checkpoints.ports;

/**
 * The store failed (an I/O or database error, or a stored value this library cannot read). The
 * transaction was rolled back. Adapters translate their own exceptions into this one. Immutable
 * and thread-safe.
 */
public class CheckpointStorageException extends CheckpointException {

  private static final long serialVersionUID = 1L;

  /** @param message what failed */
  public CheckpointStorageException(String message) {
    super(message);
  }

  /**
   * @param message what failed
   * @param cause the adapter's exception
   */
  public CheckpointStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}

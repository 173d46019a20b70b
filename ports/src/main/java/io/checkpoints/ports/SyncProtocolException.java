package io.checkpoints.ports;

/**
 * A sync line could not be used: malformed JSON, a wrong type (for example a numeric
 * {@code write_checkpoint}), or a line that the protocol does not allow at this point. Handling
 * such a line ends the sync iteration. Immutable and thread-safe.
 */
public class SyncProtocolException extends CheckpointException {

  private static final long serialVersionUID = 1L;

  /** @param message what was wrong with the line */
  public SyncProtocolException(String message) {
    super(message);
  }

  /**
   * @param message what was wrong with the line
   * @param cause the parser's failure
   */
  public SyncProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}

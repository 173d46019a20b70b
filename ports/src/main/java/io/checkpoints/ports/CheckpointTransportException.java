package io.checkpoints.ports;

/**
 * Talking to the service failed. The subtype says how, and {@link #isRetryable()} whether the
 * client-level flow tries again with back-off. Immutable and thread-safe.
 */
public abstract class CheckpointTransportException extends CheckpointException {

  private static final long serialVersionUID = 1L;

  /** Whether trying again may succeed; part of the serialized form. */
  private final boolean retryable;

  /**
   * @param message what failed
   * @param cause the underlying failure, or null
   * @param retryable whether trying again later may succeed
   */
  protected CheckpointTransportException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** @return whether trying again later may succeed */
  public boolean isRetryable() {
    return retryable;
  }

  /** HTTP 404: the service is older than 1.24.0 and has no checkpoint requests. Not retried. */
  public static final class NotSupported extends CheckpointTransportException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public NotSupported(String message) {
      super(message, null, false);
    }
  }

  /** HTTP 401: the credentials were refused; they are invalidated and a retry uses fresh ones. */
  public static final class Unauthorized extends CheckpointTransportException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public Unauthorized(String message) {
      super(message, null, true);
    }
  }

  /** HTTP 429: the service is overloaded. Retried with back-off. */
  public static final class Overloaded extends CheckpointTransportException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public Overloaded(String message) {
      super(message, null, true);
    }
  }

  /** HTTP 5xx: a service or storage failure. Retried with back-off. */
  public static final class ServerError extends CheckpointTransportException {
    private static final long serialVersionUID = 1L;
    /** The HTTP status; part of the serialized form. */
    private final int status;

    /**
     * @param status the HTTP status
     * @param message what failed
     */
    public ServerError(int status, String message) {
      super(message, null, true);
      this.status = status;
    }

    /** @return the HTTP status */
    public int status() {
      return status;
    }
  }

  /** No answer in time, or the connection failed. Retried with back-off. */
  public static final class Unreachable extends CheckpointTransportException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the I/O failure, or null
     */
    public Unreachable(String message, Throwable cause) {
      super(message, cause, true);
    }
  }

  /** The response could not be used: bad status, bad JSON, missing fields, ids out of range, too large. */
  public static final class MalformedResponse extends CheckpointTransportException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong with the response
     * @param cause the parser's failure, or null
     */
    public MalformedResponse(String message, Throwable cause) {
      super(message, cause, false);
    }
  }
}

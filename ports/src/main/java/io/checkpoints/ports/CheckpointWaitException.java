package io.checkpoints.ports;

/**
 * A waiter for an applied checkpoint could not complete. The subtype says why; cancellation is
 * reported the JDK way, as a {@link java.util.concurrent.CancellationException}. Immutable and
 * thread-safe.
 */
public abstract class CheckpointWaitException extends CheckpointException {

  private static final long serialVersionUID = 1L;

  /** @param message why the wait ended */
  protected CheckpointWaitException(String message) {
    super(message);
  }

  /**
   * @param message why the wait ended
   * @param cause the failure that ended it
   */
  protected CheckpointWaitException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The sync iteration ended with an error (a bad sync line, a failed upload or download). */
  public static final class SyncFailed extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why the wait ended
     * @param cause the error that ended the iteration
     */
    public SyncFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The sync iteration ended (stop, close or token expiry) before the id was applied. */
  public static final class Disconnected extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /** @param message why the wait ended */
    public Disconnected(String message) {
      super(message);
    }
  }

  /** The local database was cleared: requests made before a clear never complete. */
  public static final class Cleared extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /** @param message why the wait ended */
    public Cleared(String message) {
      super(message);
    }
  }

  /**
   * The client connected as another user than the one the request was made for (including from
   * a known user to none and back): requests of one user are never acknowledged by another's
   * checkpoints.
   */
  public static final class UserSwitched extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /** @param message why the wait ended */
    public UserSwitched(String message) {
      super(message);
    }
  }

  /** The client or connection that the wait belongs to was closed. */
  public static final class Closed extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /** @param message why the wait ended */
    public Closed(String message) {
      super(message);
    }
  }

  /** The wait took longer than its timeout. */
  public static final class TimedOut extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /** @param message why the wait ended */
    public TimedOut(String message) {
      super(message);
    }
  }

  /** The service does not support checkpoint requests (HTTP 404). */
  public static final class NotSupported extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why the wait ended
     * @param cause the transport's failure
     */
    public NotSupported(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The iteration runs in legacy mode, where the client cannot request checkpoints. */
  public static final class LegacyMode extends CheckpointWaitException {
    private static final long serialVersionUID = 1L;

    /** @param message why the wait ended */
    public LegacyMode(String message) {
      super(message);
    }
  }
}

package io.checkpoints.ports;

/**
 * The operation is not allowed in the current state (for example no sync iteration is active, the
 * counter is not seeded in this iteration, the counter would overflow, or a soft clear was asked
 * for during an iteration). Nothing was changed. Immutable and thread-safe.
 */
public class CheckpointStateException extends CheckpointException {

  private static final long serialVersionUID = 1L;

  /** Why the state did not allow the operation; part of the serialized form. */
  private final Reason reason;

  /** Why the state did not allow the operation. */
  public enum Reason {
    /** The operation needs an active sync iteration and none is active. */
    NO_ACTIVE_ITERATION,
    /** {@code next} was called before the current iteration's seed succeeded. */
    NOT_SEEDED,
    /** The counter is at {@code MAX}: allocating another id would overflow. */
    OVERFLOW,
    /** A soft clear was asked for while a sync iteration is active. */
    CLEAR_REFUSED,
    /** A sync line arrived that is not allowed at this point of the iteration. */
    LINE_OUT_OF_ORDER,
    /** The store was closed: it reads and writes nothing any more. */
    STORE_CLOSED,
    /**
     * An upload batch was completed twice, after a clear, or after its writes left the queue
     * another way.
     */
    STALE_UPLOAD_BATCH
  }

  /**
   * @param reason why the state did not allow the operation
   * @param message what was wrong and what was expected
   */
  public CheckpointStateException(Reason reason, String message) {
    super(message);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
  }

  /** @return why the state did not allow the operation */
  public Reason reason() {
    return reason;
  }
}

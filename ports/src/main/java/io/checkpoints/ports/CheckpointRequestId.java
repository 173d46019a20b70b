package io.checkpoints.ports;

/**
 * A checkpoint request id that the client seeds, allocates, posts or sets as a target: a value in
 * {@code 1..MAX} where {@code MAX} is {@link Long#MAX_VALUE}.
 *
 * <p>As a target, {@link #MAX} has a meaning of its own: local writes exist and no concrete id is
 * known yet. Immutable and thread-safe.
 *
 * @param value the id, in {@code 1..Long.MAX_VALUE}
 */
public record CheckpointRequestId(long value) implements Comparable<CheckpointRequestId> {

  /** The smallest id, 1. */
  public static final CheckpointRequestId MIN = new CheckpointRequestId(1);

  /** The largest id, {@link Long#MAX_VALUE}; as a target it means "local writes, no id yet". */
  public static final CheckpointRequestId MAX = new CheckpointRequestId(Long.MAX_VALUE);

  /**
   * @param value the id, in {@code 1..Long.MAX_VALUE}
   * @throws CheckpointArgumentException if {@code value} is 0 or negative
   */
  public CheckpointRequestId {
    if (value < 1) {
      throw new CheckpointArgumentException(
          "checkpoint request id must be between 1 and " + Long.MAX_VALUE + ", got " + value);
    }
  }

  /**
   * @param value the id, in {@code 1..Long.MAX_VALUE}
   * @return the id
   * @throws CheckpointArgumentException if {@code value} is 0 or negative
   */
  public static CheckpointRequestId of(long value) {
    return new CheckpointRequestId(value);
  }

  /**
   * Parses the decimal text form (see {@link DecimalText}), as ids travel on the wire.
   *
   * @param text for example {@code "42"}, {@code "+42"} or {@code "0042"}
   * @return the id
   * @throws CheckpointArgumentException if the text is not a decimal integer in {@code 1..MAX}
   */
  public static CheckpointRequestId parse(String text) {
    return new CheckpointRequestId(DecimalText.parseSigned64(text));
  }

  /** @return whether this is {@link #MAX}, the "local writes, no id yet" target */
  public boolean isMax() {
    return value == Long.MAX_VALUE;
  }

  /** @return the decimal text form used on the wire, for example {@code "42"} */
  public String toWireString() {
    return Long.toString(value);
  }

  @Override
  public int compareTo(CheckpointRequestId other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}

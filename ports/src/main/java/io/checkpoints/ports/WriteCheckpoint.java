package io.checkpoints.ports;

/**
 * A {@code write_checkpoint} value received from the service, and so a last seen or last applied
 * id: any signed 64-bit value, kept exactly as sent (the service may send {@code "0"} or
 * {@code "-3"}). Immutable and thread-safe.
 *
 * @param value the value as sent
 */
public record WriteCheckpoint(long value) implements Comparable<WriteCheckpoint> {

  /**
   * @param value any signed 64-bit value
   * @return the write checkpoint
   */
  public static WriteCheckpoint of(long value) {
    return new WriteCheckpoint(value);
  }

  /**
   * Parses the decimal text form (see {@link DecimalText}), as the service sends it.
   *
   * @param text for example {@code "42"} or {@code "-3"}
   * @return the write checkpoint
   * @throws CheckpointArgumentException if the text is not a decimal signed 64-bit integer
   */
  public static WriteCheckpoint parse(String text) {
    return new WriteCheckpoint(DecimalText.parseSigned64(text));
  }

  /**
   * @param id a checkpoint request id
   * @return whether this write checkpoint acknowledges {@code id}, that is {@code value >= id}
   */
  public boolean acknowledges(CheckpointRequestId id) {
    return value >= id.value();
  }

  @Override
  public int compareTo(WriteCheckpoint other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}

package io.checkpoints.ports;

import java.util.Arrays;
import java.util.Objects;

/**
 * The payload of a checkpoint command as it arrives from a dynamically typed surface: an SQL
 * function argument or a JSON value of a replay script. Which forms a command accepts is the
 * command's business ({@link CheckpointControl}). All implementations are immutable and
 * thread-safe.
 */
public sealed interface ControlPayload {

  /** SQL {@code NULL} or JSON {@code null}. */
  record NullValue() implements ControlPayload {}

  /**
   * An SQL {@code INTEGER} or a JSON integer in the signed 64-bit range.
   *
   * @param value the value
   */
  record IntegerValue(long value) implements ControlPayload {}

  /**
   * An SQL {@code REAL} or a JSON number that is not a 64-bit integer ({@code 5.0}, {@code 1e3},
   * or out of range).
   *
   * @param value the value (approximate for out-of-range JSON numbers)
   */
  record RealValue(double value) implements ControlPayload {}

  /**
   * An SQL {@code TEXT} or a JSON string.
   *
   * @param value the text
   */
  record TextValue(String value) implements ControlPayload {
    /**
     * @param value the text
     * @throws NullPointerException if the text is null
     */
    public TextValue {
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * An SQL {@code BLOB}, or any other JSON value (boolean, array, object).
   *
   * @param bytes the bytes; copied
   */
  record BlobValue(byte[] bytes) implements ControlPayload {
    /**
     * @param bytes the bytes; copied
     * @throws NullPointerException if the bytes are null
     */
    public BlobValue {
      bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    /** @return a copy of the bytes, so the payload stays immutable */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof BlobValue b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "BlobValue[" + bytes.length + " bytes]";
    }
  }

  /** The null payload. */
  ControlPayload NULL = new NullValue();

  /**
   * @param value an integer
   * @return the integer payload
   */
  static ControlPayload of(long value) {
    return new IntegerValue(value);
  }

  /**
   * @param text a text
   * @return the text payload
   */
  static ControlPayload of(String text) {
    return new TextValue(text);
  }
}

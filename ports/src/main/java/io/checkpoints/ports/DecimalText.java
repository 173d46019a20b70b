package io.checkpoints.ports;

/**
 * Parses the decimal text form of a signed 64-bit integer, exactly as the PowerSync core accepts
 * it: an optional single {@code +} or {@code -}, then one or more ASCII digits, leading zeros
 * allowed, nothing else (no spaces, decimal point, exponent or hex).
 *
 * <p>Stateless and thread-safe.
 */
public final class DecimalText {

  private DecimalText() {}

  /**
   * Parses {@code text} as a signed 64-bit integer.
   *
   * @param text the text to parse; not null
   * @return the value
   * @throws CheckpointArgumentException if the text is not in the accepted form or out of range
   */
  public static long parseSigned64(String text) {
    if (text == null) {
      throw new CheckpointArgumentException("expected a decimal integer, got null");
    }
    int length = text.length();
    int start = 0;
    boolean negative = false;
    if (length > 0 && (text.charAt(0) == '+' || text.charAt(0) == '-')) {
      negative = text.charAt(0) == '-';
      start = 1;
    }
    if (start == length) {
      throw new CheckpointArgumentException("expected a decimal integer, got \"" + text + "\"");
    }
    // Accumulate negatively so that Long.MIN_VALUE, whose magnitude has no positive long, parses.
    long result = 0;
    for (int i = start; i < length; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new CheckpointArgumentException("expected a decimal integer, got \"" + text + "\"");
      }
      int digit = c - '0';
      if (result < (Long.MIN_VALUE + digit) / 10) {
        throw outOfRange(text);
      }
      result = result * 10 - digit;
    }
    if (!negative) {
      if (result == Long.MIN_VALUE) {
        throw outOfRange(text);
      }
      return -result;
    }
    return result;
  }

  private static CheckpointArgumentException outOfRange(String text) {
    return new CheckpointArgumentException(
        "decimal integer out of the signed 64-bit range: \"" + text + "\"");
  }
}

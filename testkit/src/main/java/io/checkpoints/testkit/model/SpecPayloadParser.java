package io.checkpoints.testkit.model;

import io.checkpoints.ports.ControlPayload;
import java.math.BigInteger;

/**
 * How {@link SpecModel} reads a {@code powersync_control} payload, written from the text of
 * {@code behaviour.md} section 3 and not from the domain's parser. Stateless, so thread-safe.
 */
final class SpecPayloadParser {

  private static final BigInteger MIN_LONG = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);

  /** The value of a payload, or why it is not one. */
  record Parsed(Long value, boolean isNull) {}

  private SpecPayloadParser() {}

  /**
   * Section 3, text forms: an optional single {@code +}/{@code -}, ASCII digits, leading zeros
   * allowed, nothing else; out-of-range text is an argument error.
   */
  static Parsed parse(ControlPayload payload) {
    if (payload instanceof ControlPayload.NullValue) {
      return new Parsed(null, true);
    }
    if (payload instanceof ControlPayload.IntegerValue integer) {
      return new Parsed(integer.value(), false);
    }
    if (payload instanceof ControlPayload.TextValue text) {
      String s = text.value();
      int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
      if (start == s.length()) {
        throw new PredictedRefusal(Outcomes.argumentError());
      }
      for (int i = start; i < s.length(); i++) {
        if (s.charAt(i) < '0' || s.charAt(i) > '9') {
          throw new PredictedRefusal(Outcomes.argumentError());
        }
      }
      BigInteger value = new BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
      if (value.compareTo(MIN_LONG) < 0 || value.compareTo(MAX_LONG) > 0) {
        throw new PredictedRefusal(Outcomes.argumentError());
      }
      return new Parsed(value.longValueExact(), false);
    }
    throw new PredictedRefusal(Outcomes.argumentError());
  }
}

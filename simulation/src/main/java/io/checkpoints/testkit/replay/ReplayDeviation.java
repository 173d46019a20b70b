package io.checkpoints.testkit.replay;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a replay case deliberately differs from the reference core ({@code behaviour.md} section
 * 12), read from its {@code NAME.deviation.json}. A conformance run asserts both sides: this
 * library prints the case's expected output, and the reference prints something else at exactly
 * {@link #events()}. Immutable and thread-safe.
 *
 * @param number the deviation's number in section 12, 1 to 6
 * @param summary what this library does differently and why the reference's output differs
 * @param events the event numbers (from 1) whose output the reference prints differently; copied
 * @param referenceOutput for some of those events, the output that section 12 says the reference
 *     prints, keyed by event number; copied
 */
public record ReplayDeviation(
    int number, String summary, List<Integer> events, Map<Integer, String> referenceOutput) {

  /**
   * @param number the deviation's number in section 12, 1 to 6
   * @param summary what this library does differently and why the reference's output differs
   * @param events the event numbers (from 1) whose output the reference prints differently; copied
   * @param referenceOutput for some of those events, the output that section 12 says the reference
   *     prints, keyed by event number; copied
   * @throws IllegalArgumentException if the number is not 1 to 6 or no event is given
   */
  public ReplayDeviation {
    if (number < 1 || number > 6) {
      throw new IllegalArgumentException("deviation number must be 1 to 6, got " + number);
    }
    Objects.requireNonNull(summary, "summary");
    events = List.copyOf(events);
    if (events.isEmpty()) {
      throw new IllegalArgumentException("a deviation names at least one differing event");
    }
    referenceOutput = Map.copyOf(referenceOutput);
    if (!events.containsAll(referenceOutput.keySet())) {
      throw new IllegalArgumentException(
          "reference outputs are given for events not listed as differing: " + referenceOutput.keySet());
    }
  }
}

package io.checkpoints.testkit.replay;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One replay script with the output it must print. Immutable and thread-safe.
 *
 * @param name the script's file name without {@code .jsonl}, for example {@code 01-example}
 * @param source where the expected output comes from
 * @param script the script's lines; copied
 * @param expected the expected output lines, one per event; copied
 * @param deviation for a script that touches a deliberate deviation from the reference
 *     ({@code behaviour.md} section 12): which one, and where the reference prints otherwise
 */
public record ReplayCase(
    String name,
    Source source,
    List<String> script,
    List<String> expected,
    Optional<ReplayDeviation> deviation) {

  /** Where a case's expected output comes from. */
  public enum Source {
    /** Printed by the reference core and recorded ({@code NAME.reference}). */
    REFERENCE_RECORDING,
    /** Derived from {@code behaviour.md} and {@code replay-format.md} ({@code NAME.expected}). */
    SPECIFICATION
  }

  /**
   * @param name the script's file name without {@code .jsonl}, for example {@code 01-example}
   * @param source where the expected output comes from
   * @param script the script's lines; copied
   * @param expected the expected output lines, one per event; copied
   * @param deviation for a script that touches a deliberate deviation from the reference
   *     ({@code behaviour.md} section 12): which one, and where the reference prints otherwise
   * @throws NullPointerException if an argument is null
   */
  public ReplayCase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    script = List.copyOf(script);
    expected = List.copyOf(expected);
    Objects.requireNonNull(deviation, "deviation");
  }

  @Override
  public String toString() {
    return name;
  }
}

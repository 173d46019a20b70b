package io.checkpoints.testkit.model;

import java.util.List;
import java.util.Objects;

/**
 * The first step at which the domain and the model (or an invariant) disagreed. Immutable and
 * thread-safe.
 *
 * @param step the 1-based index of the action in the list
 * @param action the action
 * @param resolved the action with its values resolved, as executed
 * @param check what disagreed: {@code "outcome"}, {@code "state: <field>"},
 *     {@code "invariant: <rule>"}, or a crash of one side
 * @param expected what the model (or the rule) expected
 * @param actual what the domain did
 * @param trace one line per executed step, up to and including this one
 */
public record Divergence(
    int step, Action action, String resolved, String check, String expected, String actual,
    List<String> trace) {

  /**
   * @param step the 1-based index of the action in the list
   * @param action the action
   * @param resolved the action with its values resolved, as executed
   * @param check what disagreed: {@code "outcome"}, {@code "state: <field>"},
   *     {@code "invariant: <rule>"}, or a crash of one side
   * @param expected what the model (or the rule) expected
   * @param actual what the domain did
   * @param trace one line per executed step, up to and including this one
   * @throws NullPointerException if an argument is null
   */
  public Divergence {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resolved, "resolved");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(actual, "actual");
    trace = List.copyOf(trace);
  }

  /** @return the divergence in a few lines */
  public String describe() {
    return "at action " + step + ": " + resolved + "\n"
        + "  check:  " + check + "\n"
        + "  model:  " + expected + "\n"
        + "  domain: " + actual;
  }
}

package io.checkpoints.testkit.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Compares replay outputs as the format says: line by line, as JSON values (spacing and key order
 * do not matter, {@code 5} equals {@code 5.0}), with error messages ignored, since only the kinds
 * of errors are compared. Stateless and thread-safe.
 */
public final class ReplayComparison {

  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  private ReplayComparison() {}

  /**
   * @param expected the expected output lines
   * @param actual the output lines to check
   * @return one readable entry per difference (an event number from 1, the expected and the
   *     actual line), and one for a difference in length; empty if the outputs match
   * @throws NullPointerException if a list or line is null
   */
  public static List<String> differences(List<String> expected, List<String> actual) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(actual, "actual");
    List<String> differences = new ArrayList<>();
    int common = Math.min(expected.size(), actual.size());
    for (int i = 0; i < common; i++) {
      if (!sameOutput(expected.get(i), actual.get(i))) {
        differences.add("event " + (i + 1) + ": expected " + expected.get(i) + " but got "
            + actual.get(i));
      }
    }
    if (expected.size() != actual.size()) {
      differences.add("expected " + expected.size() + " output lines but got " + actual.size());
    }
    return differences;
  }

  /**
   * @param expected an expected output line
   * @param actual an output line
   * @return whether they are the same JSON value once error messages are left out
   */
  public static boolean sameOutput(String expected, String actual) {
    JsonNode left = normalized(expected);
    JsonNode right = normalized(actual);
    return left != null && right != null && left.equals(NUMBERS_BY_VALUE, right);
  }

  /** The line's value without the error message; null if the line is not JSON. */
  private static JsonNode normalized(String line) {
    Objects.requireNonNull(line, "line");
    JsonNode value;
    try {
      value = ReplayJson.parse(line);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (value.isObject() && value.get("error") instanceof ObjectNode) {
      ObjectNode copy = value.deepCopy();
      ((ObjectNode) copy.get("error")).remove("message");
      return copy;
    }
    return value;
  }
}

package io.checkpoints.testkit.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Shrinks a failing list to a short one that still fails: first removes chunks (halves, quarters,
 * ... down to single elements), then simplifies elements one by one, and repeats until nothing
 * helps or the budget of test runs is used up. A simplification is tried only if it lowers the
 * element's complexity, so shrinking always ends.
 *
 * <p>Stateless and thread-safe; the predicate's thread-safety is the caller's.
 */
public final class Shrinker {

  private Shrinker() {}

  /**
   * The result of shrinking. Immutable and thread-safe.
   *
   * @param shrunk the shortest failing list found
   * @param runs how many times the predicate was evaluated
   * @param <T> the element type
   */
  public record Result<T>(List<T> shrunk, int runs) {
    /**
     * @param shrunk the shortest failing list found
     * @param runs how many times the predicate was evaluated
     * @throws NullPointerException if the list is null
     */
    public Result {
      shrunk = List.copyOf(shrunk);
    }
  }

  /**
   * @param failing a list for which {@code stillFails} is true
   * @param stillFails whether a candidate list still fails (the same way)
   * @param simpler simpler variants of one element
   * @param complexity how complicated an element is; variants with no lower value are skipped
   * @param budget the most predicate evaluations
   * @param <T> the element type
   * @return the shrunk list and the number of evaluations
   */
  public static <T> Result<T> shrink(List<T> failing, Predicate<List<T>> stillFails,
      Function<T, List<T>> simpler, ToIntFunction<T> complexity, int budget) {
    Objects.requireNonNull(failing, "failing");
    Objects.requireNonNull(stillFails, "stillFails");
    Objects.requireNonNull(simpler, "simpler");
    Objects.requireNonNull(complexity, "complexity");
    int[] runs = {0};
    Predicate<List<T>> counted = candidate -> {
      runs[0]++;
      return stillFails.test(candidate);
    };
    List<T> current = new ArrayList<>(failing);
    boolean progress = true;
    while (progress && runs[0] < budget) {
      progress = false;
      // Remove chunks, from half the list down to single elements.
      for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && runs[0] < budget; chunk /= 2) {
        int start = 0;
        while (start < current.size() && runs[0] < budget) {
          List<T> candidate = new ArrayList<>(current.subList(0, start));
          candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
          if (candidate.size() < current.size() && counted.test(candidate)) {
            current = candidate;
            progress = true;
          } else {
            start += chunk;
          }
        }
      }
      // Simplify elements one at a time.
      for (int i = 0; i < current.size() && runs[0] < budget; i++) {
        boolean simplified = true;
        while (simplified && runs[0] < budget) {
          simplified = false;
          T element = current.get(i);
          for (T variant : simpler.apply(element)) {
            if (complexity.applyAsInt(variant) >= complexity.applyAsInt(element)) {
              continue;
            }
            List<T> candidate = new ArrayList<>(current);
            candidate.set(i, variant);
            if (counted.test(candidate)) {
              current = candidate;
              simplified = true;
              progress = true;
              break;
            }
            if (runs[0] >= budget) {
              break;
            }
          }
        }
      }
    }
    return new Result<>(current, runs[0]);
  }
}

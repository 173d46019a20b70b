package io.checkpoints.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShrinkerTest {

  private static final int BUDGET = 10_000;

  private static List<Integer> simpler(int value) {
    List<Integer> candidates = new ArrayList<>();
    candidates.add(0);
    candidates.add(value / 2);
    candidates.add(value - Integer.signum(value));
    return candidates;
  }

  private static Shrinker.Result<Integer> shrink(List<Integer> failing, Predicate<List<Integer>> fails) {
    return Shrinker.shrink(failing, fails, ShrinkerTest::simpler, Math::abs, BUDGET);
  }

  @Test
  @DisplayName("removes every element the failure does not need, keeping their order")
  void removesUnneededElements() {
    List<Integer> failing = IntStream.range(0, 200).boxed().toList();
    Predicate<List<Integer>> needs3Then77 = list -> list.indexOf(3) >= 0 && list.indexOf(77) > list.indexOf(3);
    Shrinker.Result<Integer> result = Shrinker.shrink(failing, needs3Then77, value -> List.of(),
        value -> 0, BUDGET);
    assertThat(result.shrunk()).containsExactly(3, 77);
    assertThat(result.runs()).isPositive().isLessThan(BUDGET);
  }

  @Test
  @DisplayName("simplifies values to the smallest that still fail")
  void simplifiesValues() {
    List<Integer> failing = List.of(5, 1_000, -7, 40, 999);
    Shrinker.Result<Integer> result = shrink(failing, list -> list.stream().mapToInt(x -> x).sum() > 100);
    assertThat(result.shrunk()).containsExactly(101);
  }

  @Test
  @DisplayName("keeps a list that cannot shrink as it is")
  void keepsMinimalList() {
    Shrinker.Result<Integer> result = shrink(List.of(0), list -> list.equals(List.of(0)));
    assertThat(result.shrunk()).containsExactly(0);
  }

  @Test
  @DisplayName("never tries a variant that is not simpler, so it always ends")
  void endsEvenIfVariantsCycle() {
    Shrinker.Result<Integer> result = Shrinker.shrink(List.of(1, 2), list -> list.size() == 2,
        value -> List.of(value == 1 ? 2 : 1), value -> 5, BUDGET);
    assertThat(result.shrunk()).containsExactly(1, 2);
    assertThat(result.runs()).isLessThan(10);
  }

  @Test
  @DisplayName("stops at the budget")
  void stopsAtTheBudget() {
    List<Integer> failing = IntStream.range(0, 1_000).boxed().toList();
    Shrinker.Result<Integer> result = Shrinker.shrink(failing, list -> list.size() >= 500,
        value -> List.of(), value -> 0, 7);
    assertThat(result.runs()).isEqualTo(7);
    assertThat(result.shrunk()).hasSizeGreaterThanOrEqualTo(500);
  }
}

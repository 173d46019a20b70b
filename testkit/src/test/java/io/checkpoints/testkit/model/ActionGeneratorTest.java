package io.checkpoints.testkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.testkit.support.SeededRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ActionGeneratorTest {

  @Test
  @DisplayName("the same seed gives the same action list; different seeds give different lists")
  void seedsReplay() {
    for (long seed = 0; seed < 50; seed++) {
      assertThat(ActionGenerator.generate(new SeededRandom(seed), 200))
          .isEqualTo(ActionGenerator.generate(new SeededRandom(seed), 200));
    }
    Set<List<Action>> lists = new HashSet<>();
    for (long seed = 0; seed < 50; seed++) {
      lists.add(ActionGenerator.generate(new SeededRandom(seed), 200));
    }
    assertThat(lists).hasSizeGreaterThan(45);
  }

  @Test
  @DisplayName("lists hold 1 to maxActions actions and reach every kind of action")
  void listsHaveTheRightLengthAndEveryKind() {
    Set<Class<?>> kinds = new HashSet<>();
    int longest = 0;
    for (long seed = 0; seed < 300; seed++) {
      List<Action> actions = ActionGenerator.generate(new SeededRandom(seed), 200);
      assertThat(actions).isNotEmpty().hasSizeLessThanOrEqualTo(200);
      longest = Math.max(longest, actions.size());
      actions.forEach(action -> kinds.add(action.getClass()));
    }
    assertThat(longest).isGreaterThan(190);
    assertThat(kinds).containsAll(List.of(Action.class.getPermittedSubclasses()));
  }

  @Test
  @DisplayName("every action prints as one readable line")
  void actionsPrintReadably() {
    for (long seed = 0; seed < 100; seed++) {
      for (Action action : ActionGenerator.generate(new SeededRandom(seed), 200)) {
        assertThat(action.toString()).doesNotContain("\n").doesNotContain("Action$")
            .doesNotContain("[").matches("[a-zA-Z_ ]+\\(.*\\)|line [a-z_]+");
        assertThat(action.describe(7)).doesNotContain("\n");
      }
    }
  }

  @Test
  @DisplayName("a simplification is always simpler")
  void simplificationsAreSimpler() {
    for (long seed = 0; seed < 100; seed++) {
      for (Action action : ActionGenerator.generate(new SeededRandom(seed), 200)) {
        for (Action simpler : action.simpler()) {
          assertThat(simpler.complexity()).as("%s -> %s", action, simpler)
              .isLessThan(action.complexity());
        }
      }
    }
  }
}

package io.checkpoints.testkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proves that the model-based runner catches a broken store and shrinks the failure to a short,
 * readable action list that names the seed.
 */
class BrokenStoreIsCaughtAndShrunkTest {

  private static final int SEEDS_TO_TRY = 300;

  @ParameterizedTest
  @EnumSource(value = BrokenStore.Defect.class, names = "USER_SEQUENCES_OUTSIDE_THE_TRANSACTION",
      mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("a store with a deliberate defect is caught, shrunk to a few actions, and replays by seed")
  void brokenStoreIsCaughtAndShrunk(BrokenStore.Defect defect) {
    ModelRunner runner = new ModelRunner(() -> new BrokenStore(defect));
    Optional<ModelFailure> found = Optional.empty();
    for (long seed = 1; seed <= SEEDS_TO_TRY && found.isEmpty(); seed++) {
      // Only long lists, so that the shrinking has something to do.
      if (runner.generate(seed).size() >= 40) {
        found = runner.check(seed);
      }
    }
    assertThat(found).as("a failure within %d seeds", SEEDS_TO_TRY).isPresent();
    ModelFailure failure = found.get();

    assertThat(failure.original()).hasSizeGreaterThanOrEqualTo(40);
    assertThat(failure.shrunk()).as("shrunk list:%n%s", failure.report()).hasSizeLessThanOrEqualTo(5);
    String report = failure.report();
    assertThat(report)
        .contains("Seed: " + failure.seed())
        .contains("-D" + SyncClientModelContract.SEED_PROPERTY + "=" + failure.seed())
        .contains("Shrunk from " + failure.original().size() + " to " + failure.shrunk().size())
        .contains("First divergence at action " + failure.divergence().step());
    for (int i = 0; i < failure.shrunk().size(); i++) {
      assertThat(report).as("one action per line").contains(
          String.format("%3d. %s%n", i + 1, failure.shrunk().get(i)));
    }

    // The seed replays the same failure, and the shrunk list fails on its own.
    assertThat(runner.check(failure.seed())).contains(failure);
    assertThat(runner.run(failure.shrunk())).contains(failure.divergence());
    // The healthy store passes the same lists: the failure is the defect's.
    ModelRunner healthy = new ModelRunner(io.checkpoints.adapter.inmemory.InMemoryCheckpointStore::create);
    assertThat(healthy.run(failure.original())).isEmpty();
    assertThat(healthy.run(failure.shrunk())).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = BrokenStore.Defect.class, names = "USER_SEQUENCES_OUTSIDE_THE_TRANSACTION",
      mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("the shrunk list of each defect is the minimal story of the bug")
  void shrunkListsTellTheStory(BrokenStore.Defect defect) {
    ModelRunner runner = new ModelRunner(() -> new BrokenStore(defect));
    Optional<ModelFailure> found = Optional.empty();
    for (long seed = 1; seed <= SEEDS_TO_TRY && found.isEmpty(); seed++) {
      found = runner.check(seed);
    }
    assertThat(found).isPresent();
    List<String> shrunk = found.get().shrunk().stream().map(Action::toString).toList();
    switch (defect) {
      case CLEAR_KEEPS_LAST_SEEN -> assertThat(shrunk).last().asString().startsWith("clear(");
      case RAISE_LOWERS -> assertThat(shrunk).first().asString().contains("user=");
      case REMOVE_THROUGH_OFF_BY_ONE -> assertThat(shrunk).contains("localWrite()").last().asString()
          .startsWith("uploadDone(oldest");
      case CLEAR_DELETES_USER_SEQUENCES -> assertThat(shrunk).last().asString().startsWith("clear(");
      case NEGATIVE_LAST_SEEN_STORED_AS_ZERO -> assertThat(shrunk).last().asString()
          .isIn("line checkpoint_complete(op=1)", "line checkpoint_complete(op=2)",
              "line checkpoint_complete(op=3)", "line checkpoint_complete(op=4)",
              "line checkpoint_complete(op=5)", "line checkpoint_complete(op=6)");
      default -> throw new AssertionError(defect);
    }
  }
}

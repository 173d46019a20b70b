package io.checkpoints.testkit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.checkpoints.ports.CheckpointStore;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The model-based test of the domain on one store: random action lists run against a
 * {@code SyncClient} on the store and against an independent model of the specification; the
 * first divergence fails the test with the seed, the shrunk action list and the divergence.
 *
 * <p>A storage adapter's test extends it and supplies a fresh store:
 *
 * <pre>{@code
 * class PropertiesFileSyncClientModelTest extends SyncClientModelContract {
 *   @TempDir Path directory;
 *
 *   private int files;
 *
 *   @Override
 *   protected CheckpointStore newStore() {
 *     return PropertiesFileCheckpointStore.open(directory.resolve("run-" + files++ + ".properties"));
 *   }
 *
 *   @Override
 *   protected int defaultRuns() {
 *     return 50; // every commit rewrites a file: fewer lists than for the in-memory store
 *   }
 * }
 * }</pre>
 *
 * <p>System properties: {@value #SEED_PROPERTY} replays the one action list of that seed;
 * {@value #RUNS_PROPERTY} sets how many lists run; {@value #BASE_SEED_PROPERTY} fixes the seed of
 * the series (by default a new one each time, printed with any failure);
 * {@value #MAX_ACTIONS_PROPERTY} sets the longest list.
 *
 * <p>Not thread-safe: JUnit runs it on one thread.
 */
public abstract class SyncClientModelContract {

  /** Replays the action list of one seed: {@code -Dcheckpoints.model.seed=N}. */
  public static final String SEED_PROPERTY = "checkpoints.model.seed";
  /** How many action lists run: {@code -Dcheckpoints.model.runs=N}. */
  public static final String RUNS_PROPERTY = "checkpoints.model.runs";
  /** The seed of the series of lists: {@code -Dcheckpoints.model.baseSeed=N}. */
  public static final String BASE_SEED_PROPERTY = "checkpoints.model.baseSeed";
  /** The longest action list: {@code -Dcheckpoints.model.maxActions=N}. */
  public static final String MAX_ACTIONS_PROPERTY = "checkpoints.model.maxActions";

  /**
   * @return a fresh, empty store; called once per action list
   */
  protected abstract CheckpointStore newStore();

  /** @return how many action lists run when {@value #RUNS_PROPERTY} is not set */
  protected int defaultRuns() {
    return 2_000;
  }

  /** @return the longest action list when {@value #MAX_ACTIONS_PROPERTY} is not set */
  protected int defaultMaxActions() {
    return ModelRunner.DEFAULT_MAX_ACTIONS;
  }

  @Test
  @DisplayName("random action lists: the domain on this store behaves as the model of the specification")
  void domainBehavesAsTheModel() {
    ModelRunner runner = new ModelRunner(this::newStore)
        .withMaxActions(property(MAX_ACTIONS_PROPERTY).map(Integer::parseInt).orElse(defaultMaxActions()));
    Optional<Long> replay = property(SEED_PROPERTY).map(Long::parseLong);
    if (replay.isPresent()) {
      runner.check(replay.get()).ifPresent(failure -> fail(failure.report()));
      return;
    }
    long baseSeed = property(BASE_SEED_PROPERTY).map(Long::parseLong)
        .orElseGet(() -> new SplittableRandom().nextLong());
    int runs = property(RUNS_PROPERTY).map(Integer::parseInt).orElse(defaultRuns());
    long started = System.nanoTime();
    ModelRunner.Summary summary = runner.checkMany(baseSeed, runs);
    System.out.printf("model-based runs on %s: %d action lists (%d actions) from -D%s=%d, %s, %.1f s%n",
        getClass().getSimpleName(), summary.runs(), summary.actions(), BASE_SEED_PROPERTY, baseSeed,
        summary.failure().isPresent() ? "FAILED" : "every step agreed with the model", (System.nanoTime() - started) / 1e9);
    summary.failure().ifPresent(failure -> fail(failure.report()
        + "(list " + summary.runs() + " of the series -D" + BASE_SEED_PROPERTY + "=" + baseSeed + ")"));
    assertThat(summary.runs()).as("action lists run").isEqualTo(runs);
  }

  private static Optional<String> property(String name) {
    return Optional.ofNullable(System.getProperty(name)).map(String::trim).filter(s -> !s.isEmpty());
  }
}

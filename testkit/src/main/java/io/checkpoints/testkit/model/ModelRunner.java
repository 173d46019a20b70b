package io.checkpoints.testkit.model;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.model.DomainHarness.StoreView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Runs action lists against the domain ({@code SyncClient} on a fresh store from the factory)
 * and against an independent model of the specification, comparing after every step the outcome
 * of the action (a value or an error kind), the persistent state (target, last requested, last
 * seen, last applied, queue size, per-user sequences) and the client's iteration, pending
 * checkpoint and status; it also checks invariants on the domain's own observations. A failing
 * list is shrunk to a short one.
 *
 * <pre>{@code
 * ModelRunner runner = new ModelRunner(InMemoryCheckpointStore::create);
 * runner.checkMany(baseSeed, 2_000).ifPresent(failure -> fail(failure.report()));
 * }</pre>
 *
 * <p>Thread-safe if the store factory is: every run uses its own store, client and model.
 */
public final class ModelRunner {

  /** The users that actions refer to by name; a few, so that their sequences interact. */
  public static final List<String> USERS = List.of("alice", "bob", "carol");

  /** The default longest generated action list. */
  public static final int DEFAULT_MAX_ACTIONS = 200;

  private static final int SHRINK_BUDGET = 3_000;

  /** The rule {@link WaiterLedger} checks, as divergences name it. */
  static final String WAITER_SOUNDNESS =
      "waiter soundness (only a checkpoint of the waiter's own user and clear, at or above its id, completes it; one that applied does)";

  private final Supplier<? extends CheckpointStore> stores;
  private final int maxActions;

  /**
   * @param stores supplies a fresh, empty store for every run
   */
  public ModelRunner(Supplier<? extends CheckpointStore> stores) {
    this(stores, DEFAULT_MAX_ACTIONS);
  }

  private ModelRunner(Supplier<? extends CheckpointStore> stores, int maxActions) {
    this.stores = Objects.requireNonNull(stores, "stores");
    if (maxActions < 1) {
      throw new IllegalArgumentException("maxActions must be positive, got " + maxActions);
    }
    this.maxActions = maxActions;
  }

  /**
   * @param maxActions the longest generated action list
   * @return a runner like this one generating lists of up to {@code maxActions}
   */
  public ModelRunner withMaxActions(int maxActions) {
    return new ModelRunner(stores, maxActions);
  }

  /**
   * @param seed the seed
   * @return the action list that {@code seed} stands for
   */
  public List<Action> generate(long seed) {
    return ActionGenerator.generate(new SeededRandom(seed), maxActions);
  }

  /**
   * Runs the action lists of {@code runs} seeds derived from {@code baseSeed}, stopping at the
   * first failure, which it shrinks.
   *
   * @param baseSeed the seed of the series
   * @param runs how many action lists
   * @return the summary of the series: how many lists and actions ran, and the failure if any
   */
  public Summary checkMany(long baseSeed, int runs) {
    SplittableRandom seeds = new SplittableRandom(baseSeed);
    long actions = 0;
    for (int i = 0; i < runs; i++) {
      long seed = seeds.nextLong();
      List<Action> list = generate(seed);
      actions += list.size();
      Optional<ModelFailure> failure = check(seed, list);
      if (failure.isPresent()) {
        return new Summary(baseSeed, i + 1, actions, failure);
      }
    }
    return new Summary(baseSeed, runs, actions, Optional.empty());
  }

  /**
   * The result of {@link #checkMany}. Immutable and thread-safe.
   *
   * @param baseSeed the seed of the series
   * @param runs how many action lists ran
   * @param actions how many actions they held in total
   * @param failure the first failure, shrunk, if any
   */
  public record Summary(long baseSeed, int runs, long actions, Optional<ModelFailure> failure) {
    /**
     * @param baseSeed the seed of the series
     * @param runs how many action lists ran
     * @param actions how many actions they held in total
     * @param failure the first failure, shrunk, if any
     * @throws NullPointerException if the failure is null
     */
    public Summary {
      Objects.requireNonNull(failure, "failure");
    }
  }

  /**
   * Generates the action list of {@code seed}, runs it and shrinks it if it fails.
   *
   * @param seed the seed
   * @return the shrunk failure, or empty if the domain agreed with the model throughout
   */
  public Optional<ModelFailure> check(long seed) {
    return check(seed, generate(seed));
  }

  private Optional<ModelFailure> check(long seed, List<Action> actions) {
    Optional<Divergence> divergence = run(actions);
    if (divergence.isEmpty()) {
      return Optional.empty();
    }
    String check = divergence.get().check();
    Shrinker.Result<Action> result = Shrinker.shrink(actions,
        candidate -> run(candidate).filter(d -> d.check().equals(check)).isPresent(),
        Action::simpler, Action::complexity, SHRINK_BUDGET);
    Divergence shrunk = run(result.shrunk()).orElseThrow(
        () -> new IllegalStateException("the shrunk list no longer fails: " + result.shrunk()));
    return Optional.of(new ModelFailure(seed, actions, result.shrunk(), shrunk, result.runs()));
  }

  /**
   * Runs one action list on a fresh store and a fresh model; the store is closed when the run
   * ends.
   *
   * @param actions the actions
   * @return the first divergence, or empty if there was none
   */
  public Optional<Divergence> run(List<Action> actions) {
    CheckpointStore store = stores.get();
    try {
      return run(actions, store);
    } finally {
      try {
        store.close();
      } catch (RuntimeException e) {
        throw new IllegalStateException("closing the store of a model-based run failed", e);
      }
    }
  }

  private static Optional<Divergence> run(List<Action> actions, CheckpointStore store) {
    DomainHarness domain = new DomainHarness(store);
    SpecModel model = new SpecModel();
    Invariants invariants = new Invariants();
    Trace trace = new Trace();
    StoreView before = domain.observe();
    Optional<String> initial = model.observe().firstDifference(before.observation());
    if (initial.isPresent()) {
      return Optional.of(new Divergence(0, new Action.Current(), "(fresh store)",
          "state: " + initial.get(), show(model.observe(), initial.get()),
          show(before.observation(), initial.get()), List.of("  0. (fresh store)")));
    }
    for (int i = 0; i < actions.size(); i++) {
      Action action = actions.get(i);
      long recent = model.recentId();
      String expected;
      try {
        expected = model.apply(action, recent);
      } catch (RuntimeException e) {
        trace.add(action, recent, "model crashed: " + e, null);
        return Optional.of(trace.divergence(i, "model crashed", "no exception", e.toString()));
      }
      String actual = domain.apply(action, recent);
      StoreView after;
      try {
        after = domain.observe();
      } catch (RuntimeException e) {
        trace.add(action, recent, actual + "; observing the store failed: " + e, null);
        return Optional.of(trace.divergence(i, "store observation failed", "a readable store",
            e.toString()));
      }
      trace.add(action, recent, actual, after.observation());
      if (!expected.equals(actual)) {
        return Optional.of(trace.divergence(i, "outcome", expected, actual));
      }
      Observation expectedState = model.observe();
      if (!expectedState.equals(after.observation())) {
        Optional<String> field = expectedState.firstDifference(after.observation());
        if (field.isPresent()) {
          return Optional.of(trace.divergence(i, "state: " + field.get(),
              show(expectedState, field.get()), show(after.observation(), field.get())));
        }
      }
      Optional<Invariants.Violation> violation = invariants.check(action, recent, before, after,
          actual, domain.drainPublications(), domain.lastLineOutcomes(),
          domain.lastQueuedSequence(), domain.lastRequest(), domain.drainAppliedEvents(),
          domain.drainStatusEvents());
      if (violation.isPresent()) {
        return Optional.of(trace.divergence(i, "invariant: " + violation.get().rule(),
            "the rule holds", violation.get().detail()));
      }
      List<String> waiterViolations = domain.newWaiterViolations();
      if (!waiterViolations.isEmpty()) {
        return Optional.of(trace.divergence(i, "invariant: " + WAITER_SOUNDNESS,
            "the rule holds", waiterViolations.get(0)));
      }
      before = after;
    }
    return Optional.empty();
  }

  /** The executed steps, formatted only when a divergence is reported. */
  private static final class Trace {
    private record Step(Action action, long recent, String outcome, Observation after) {}

    private final List<Step> steps = new ArrayList<>();

    void add(Action action, long recent, String outcome, Observation after) {
      steps.add(new Step(action, recent, outcome, after));
    }

    Divergence divergence(int index, String check, String expected, String actual) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        Step step = steps.get(i);
        lines.add(line(i, step.action().describe(step.recent()), step.outcome())
            + (step.after() == null ? "" : "   | " + step.after().summary()));
      }
      Step step = steps.get(index);
      return new Divergence(index + 1, step.action(), step.action().describe(step.recent()), check,
          expected, actual, lines);
    }
  }

  private static String line(int index, String resolved, String outcome) {
    return String.format("%3d. %-58s -> %s", index + 1, resolved, outcome);
  }

  private static String show(Observation observation, String field) {
    return field + " = " + observation.fields().get(field) + "   (" + observation.summary() + ")";
  }
}

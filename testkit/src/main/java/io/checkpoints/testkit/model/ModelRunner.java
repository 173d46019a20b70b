package io.checkpoints.testkit.model;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.model.DomainHarness.StoreView;
import io.checkpoints.testkit.support.SeededRandom;
import io.checkpoints.testkit.support.Shrinker;
import io.checkpoints.testkit.support.WaiterLedger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Runs action lists against the domain ({@code SyncClient} on a fresh store from the factory)
 * and against an independent model of the specification, comparing after every step the outcome
 * of the action (a value or an error kind), the persistent state (target, last requested, last
 * seen, last applied, queue size, per-user sequences) and the client's iteration, pending
 * checkpoint and status; it also checks invariants on the domain's own observations, and the
 * caller's own ({@link #withInvariant}). A failing list is shrunk to a short one, and
 * {@link ModelFailure#report()} tells the seed that replays it.
 *
 * <p>The four steps a property test needs: a seed ({@link #generate(long)} gives its list), the
 * generation (the built-in {@link ActionGenerator}, or the caller's own {@link Generator} of
 * {@link Action}s through {@link #withGenerator}), the shrinking ({@link #check(long)}) and the
 * report:
 *
 * <pre>{@code
 * ModelRunner runner = new ModelRunner(InMemoryCheckpointStore::create)
 *     .withInvariant("the queue never holds more than 100 writes",
 *         step -> step.after().queueSize() <= 100
 *             ? Optional.empty()
 *             : Optional.of("queue size " + step.after().queueSize()));
 * ModelRunner.Summary summary = runner.checkMany(baseSeed, 500);
 * summary.failure().ifPresent(failure -> fail(failure.report()));
 * }</pre>
 *
 * <p>Immutable; the {@code with...} methods return a new runner. Thread-safe if the store factory,
 * the generator and the invariants are: every run uses its own store, client and model.
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
  private final Generator generator;
  private final Map<String, Invariant> invariants;

  /**
   * A rule of the caller's, checked after every step of a run, after the comparison with the model
   * and the built-in invariants. Called on the thread of the run; it must keep no state between
   * calls, since the shrinker replays lists in any order.
   */
  @FunctionalInterface
  public interface Invariant {
    /**
     * @param step what the harness saw at one step
     * @return why the rule is broken at this step, or empty when it holds
     */
    Optional<String> check(Step step);
  }

  /**
   * What the harness saw at one step of a run. Immutable and thread-safe.
   *
   * @param number the 1-based index of the action in the list
   * @param action the action
   * @param outcome what the domain did, as the trace shows it (a value, {@code "ok"}, or
   *     {@code "error: <kind>"})
   * @param before what the harness observed before the step
   * @param after what the harness observed after the step
   */
  public record Step(int number, Action action, String outcome, Observation before, Observation after) {
    /**
     * @param number the 1-based index of the action in the list
     * @param action the action
     * @param outcome what the domain did
     * @param before what the harness observed before the step
     * @param after what the harness observed after the step
     * @throws NullPointerException if an argument is null
     */
    public Step {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
    }
  }

  /**
   * Generates the action list of one seed: the caller's own operations, as {@link Action}s the
   * model knows. It must draw every choice from {@code random}, so that a seed replays its list.
   */
  @FunctionalInterface
  public interface Generator {
    /**
     * @param random the seeded source of every choice
     * @param maxActions the longest list to generate
     * @return the action list, at most {@code maxActions} long
     */
    List<Action> generate(SeededRandom random, int maxActions);
  }

  /**
   * @param stores supplies a fresh, empty store for every run
   * @throws NullPointerException if {@code stores} is null
   */
  public ModelRunner(Supplier<? extends CheckpointStore> stores) {
    this(stores, DEFAULT_MAX_ACTIONS, ActionGenerator::generate, Map.of());
  }

  private ModelRunner(Supplier<? extends CheckpointStore> stores, int maxActions, Generator generator,
      Map<String, Invariant> invariants) {
    this.stores = Objects.requireNonNull(stores, "stores");
    if (maxActions < 1) {
      throw new IllegalArgumentException("maxActions must be positive, got " + maxActions);
    }
    this.maxActions = maxActions;
    this.generator = generator;
    this.invariants = invariants;
  }

  /**
   * @param maxActions the longest generated action list
   * @return a runner like this one generating lists of up to {@code maxActions}
   * @throws IllegalArgumentException if {@code maxActions} is below 1
   */
  public ModelRunner withMaxActions(int maxActions) {
    return new ModelRunner(stores, maxActions, generator, invariants);
  }

  /**
   * @param generator generates the action list of a seed in place of the built-in
   *     {@link ActionGenerator}
   * @return a runner like this one with that generator
   * @throws NullPointerException if {@code generator} is null
   */
  public ModelRunner withGenerator(Generator generator) {
    return new ModelRunner(stores, maxActions, Objects.requireNonNull(generator, "generator"), invariants);
  }

  /**
   * Adds a rule of the caller's. A step that breaks it fails the run with the check
   * {@code "invariant: <rule>"}, and the list is shrunk as for any other divergence.
   *
   * @param rule the rule's name, as failures name it
   * @param invariant the check
   * @return a runner like this one that also checks the rule
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code rule} is blank or already added
   */
  public ModelRunner withInvariant(String rule, Invariant invariant) {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(invariant, "invariant");
    if (rule.isBlank()) {
      throw new IllegalArgumentException("an invariant needs a name: failures name the rule they break");
    }
    if (invariants.containsKey(rule)) {
      throw new IllegalArgumentException("the invariant \"" + rule + "\" is already added");
    }
    Map<String, Invariant> more = new LinkedHashMap<>(invariants);
    more.put(rule, invariant);
    return new ModelRunner(stores, maxActions, generator, Collections.unmodifiableMap(more));
  }

  /**
   * @param seed the seed
   * @return the action list that {@code seed} stands for
   * @throws IllegalStateException if the generator returns a list longer than the longest allowed
   */
  public List<Action> generate(long seed) {
    List<Action> actions = List.copyOf(generator.generate(new SeededRandom(seed), maxActions));
    if (actions.size() > maxActions) {
      throw new IllegalStateException("the generator returned " + actions.size()
          + " actions for seed " + seed + ", more than the longest allowed, " + maxActions);
    }
    return actions;
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
      return run(actions, store, invariants);
    } finally {
      try {
        store.close();
      } catch (RuntimeException e) {
        throw new IllegalStateException("closing the store of a model-based run failed", e);
      }
    }
  }

  private static Optional<Divergence> run(List<Action> actions, CheckpointStore store,
      Map<String, Invariant> userInvariants) {
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
      for (Map.Entry<String, Invariant> rule : userInvariants.entrySet()) {
        Optional<String> broken;
        try {
          broken = rule.getValue().check(
              new Step(i + 1, action, actual, before.observation(), after.observation()));
        } catch (RuntimeException e) {
          broken = Optional.of("the check threw " + e);
        }
        if (broken.isPresent()) {
          return Optional.of(trace.divergence(i, "invariant: " + rule.getKey(), "the rule holds",
              broken.get()));
        }
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

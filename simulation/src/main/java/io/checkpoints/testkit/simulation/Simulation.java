package io.checkpoints.testkit.simulation;

import io.checkpoints.adapter.inmemory.ServiceCall;
import io.checkpoints.adapter.inmemory.ServiceFault;
import io.checkpoints.testkit.support.SeededRandom;
import io.checkpoints.testkit.support.Shrinker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Deterministic simulation of several sync clients against one simulated PowerSync service, in
 * virtual time, in one thread: one seed makes the plan (the service's support for checkpoint
 * requests and the action list), and executing a plan always gives the same run.
 *
 * <p>The workload is a max-write-wins key-value table: hosts write increasing values to random
 * keys locally, upload them to the backend, which keeps the greatest value per key, and receive
 * checkpoints that carry the backend's values as replicated. Hosts upload through upload batches
 * ({@code nextUploadBatch}, {@code nextUploadTransaction}, {@code UploadBatch.complete()}), also
 * while offline. Faults: replication lag, lost, delayed and failed responses (401, 429, 5xx), a
 * response lost after the service accepted the request, lost and expired service records,
 * disconnects and reconnects, a crash between upload and completing the batch, hard and soft
 * clears, token expiry with a user switch (with or without a clear; without per-user sequences a
 * host that cleared before switches with a clear, since a client not told its user cannot see the
 * switch: behaviour.md section 9), connects without a user and back, answers held back across a
 * disconnect, clear or user switch and delivered late (also as a 404), and, in some runs, a service
 * without checkpoint requests (404).
 *
 * <p>Invariants, checked while running and once the system has quiesced: the gate's safety and
 * monotonic reads (a value a host wrote or saw never goes backwards in its visible table, until a
 * clear starts its history afresh); waiter soundness ({@link io.checkpoints.testkit.support.WaiterLedger}:
 * handles and status waiters complete only by a checkpoint of their own user and clear, at or
 * above their id, applied after they were opened, and do complete once one applied); every
 * request ends (synced, or failed because of a clear, a user switch or a 404); a 404 reaches
 * nothing but the connection it answered; an upload batch completed offline fails its write
 * checkpoint with {@code Disconnected}; batches hold the oldest queued writes, as written; all
 * tables equal the backend's when the service supports checkpoint requests; and, with per-user
 * sequences, the ids first posted for a (user, client) never decrease.
 *
 * <p>Stateless and thread-safe; each run has its own objects.
 */
public final class Simulation {

  /** System property: the seed of one run to replay. */
  public static final String SEED_PROPERTY = "checkpoints.simulation.seed";
  /** System property: how many runs a batch makes. */
  public static final String RUNS_PROPERTY = "checkpoints.simulation.runs";

  private static final int SHRINK_BUDGET = 400;

  private Simulation() {}

  /**
   * A run's whole input.
   *
   * @param seed the seed it was made from
   * @param options the shape of the run
   * @param supported whether the service supports checkpoint requests (false: HTTP 404 throughout)
   * @param actions the actions, in order
   */
  public record Plan(long seed, SimulationOptions options, boolean supported, List<SimAction> actions) {
    /**
     * @param seed the seed it was made from
     * @param options the shape of the run
     * @param supported whether the service supports checkpoint requests (false: HTTP 404 throughout)
     * @param actions the actions, in order
     * @throws NullPointerException if an argument is null
     */
    public Plan {
      Objects.requireNonNull(options, "options");
      actions = List.copyOf(actions);
    }

    Plan withActions(List<SimAction> shorter) {
      return new Plan(seed, options, supported, shorter);
    }
  }

  /**
   * @param seed the seed
   * @param options the shape of the run
   * @return the plan that seed makes
   */
  public static Plan plan(long seed, SimulationOptions options) {
    SeededRandom random = new SeededRandom(seed);
    boolean supported = !random.chance(0.08);
    List<SimAction> actions = new ArrayList<>();
    for (int host = 0; host < options.hosts(); host++) {
      actions.add(new SimAction.Connect(host));
    }
    int count = options.hosts() + 1 + random.nextInt(options.actions());
    while (actions.size() < count) {
      if (random.chance(0.06)) {
        answerAcrossAnEpoch(random, options, actions);
      } else {
        actions.add(nextAction(random, options, actions));
      }
    }
    return new Plan(seed, options, supported, actions.subList(0, count));
  }

  /**
   * The answer to a request (or to an upload's write checkpoint) is held back while the
   * connection ends, the database is cleared or another user connects, and arrives afterwards:
   * as it was, or as a 404. Sometimes nothing happens in between, so that the answer is the
   * current connection's own.
   */
  private static void answerAcrossAnEpoch(SeededRandom random, SimulationOptions options, List<SimAction> out) {
    int host = random.nextInt(options.hosts());
    out.add(new SimAction.HoldAnswers(host, 1 + random.nextInt(2), random.chance(0.4)));
    out.add(random.chance(0.7) ? new SimAction.Request(host) : new SimAction.Upload(host, false, 100));
    if (random.chance(0.5)) {
      out.add(new SimAction.AwaitApplied(host));
    }
    switch (random.weighted(3, 3, 3, 2, 2, 2, 1)) {
      case 0 -> out.add(new SimAction.Disconnect(host));
      case 1 -> out.add(new SimAction.Reconnect(host));
      case 2 -> out.add(new SimAction.Clear(host));
      case 3 -> out.add(switchUser(options, host, random.chance(0.5), out));
      case 4 -> out.add(new SimAction.ConnectWithoutUser(host));
      case 5 -> out.add(new SimAction.SoftClear(host));
      default -> { } // the answer stays the current connection's
    }
    if (random.chance(0.5)) {
      out.add(new SimAction.Connect(host));
      out.add(new SimAction.Request(host));
    }
    out.add(new SimAction.Advance(random.between(1, 3_000)));
    out.add(new SimAction.ReleaseAnswers(host));
    out.add(new SimAction.Advance(random.between(1, 20_000)));
  }

  private static SimAction nextAction(SeededRandom random, SimulationOptions options, List<SimAction> before) {
    int host = random.nextInt(options.hosts());
    switch (random.weighted(26, 12, 8, 22, 3, 8, 2, 1, 6, 2, 1, 2, 2, 1, 1, 2, 1)) {
      case 0: return new SimAction.Write(host, "k" + random.nextInt(6));
      case 1: return new SimAction.Upload(host, random.chance(0.1), random.chance(0.3) ? 0 : 1 + random.nextInt(4));
      case 2: return new SimAction.Request(host);
      case 3: return new SimAction.Advance(random.chance(0.5) ? random.between(1, 2_000) : random.between(2_000, 20_000));
      case 4: return new SimAction.Disconnect(host);
      case 5: return new SimAction.Connect(host);
      case 6: return new SimAction.Clear(host);
      case 7: return switchUser(options, host, random.chance(0.7), before);
      case 8: return fault(random);
      // Without per-user sequences, a clear followed by a lost or expired service record lets ids
      // restart, and a stale acknowledgement can then open the gate: the reference's weakness
      // (behaviour.md section 9), shown by SimulationCanFailTest. Such runs keep their records.
      case 9: return options.userSequences() ? new SimAction.LoseRecord(host) : new SimAction.Advance(1_000);
      case 10: return options.userSequences() ? new SimAction.ExpireRecords() : new SimAction.Advance(1_000);
      case 11: return new SimAction.SetLag(random.pick(List.of(0L, 200L, 1_000L, 5_000L, 15_000L)));
      case 12: return new SimAction.Reconnect(host);
      case 13: return new SimAction.ConnectWithoutUser(host);
      case 14: return new SimAction.SoftClear(host);
      case 15: return new SimAction.AwaitApplied(host);
      default: return new SimAction.Upload(host, false, 0);
    }
  }

  /**
   * A user switch, with a clear if {@code clear}. Without per-user sequences the client is never
   * told the user, so a switch without a clear is invisible to it: last seen, the target and the
   * counter stay, and its posts go to another user's service record, which knows nothing of the
   * ids posted for the previous user. For the client that is a lost record, which these runs
   * exclude for the reason given in {@code nextAction}: once a clear has restarted the counter, an
   * id of one user's record can equal or pass an id of the other's (the previous user's
   * acknowledgement still in last seen against the new user's restarted target, or the new user's
   * old acknowledgement against the previous user's target), and the gate opens over the host's
   * newest write (behaviour.md section 9; shown by {@code SimulationCanFailTest}). So after a clear
   * of the host (a soft clear counts, even if it may be refused) the switch clears, as SDKs do on
   * sign-out. Before any clear the counter never went back, so every id either record holds is
   * below the next one allocated, and a switch without a clear stays.
   */
  private static SimAction switchUser(SimulationOptions options, int host, boolean clear, List<SimAction> before) {
    boolean clearedBefore = before.stream().anyMatch(action -> clears(action, host));
    return new SimAction.SwitchUser(host, clear || (!options.userSequences() && clearedBefore));
  }

  private static boolean clears(SimAction action, int host) {
    return (action instanceof SimAction.Clear clear && clear.host() == host)
        || (action instanceof SimAction.SoftClear soft && soft.host() == host)
        || (action instanceof SimAction.SwitchUser switchUser && switchUser.host() == host && switchUser.clear());
  }

  private static SimAction fault(SeededRandom random) {
    int times = 1 + random.nextInt(3);
    if (random.chance(0.15)) {
      return new SimAction.Fault(ServiceCall.OPEN_STREAM, random.pick(List.of(401, 429, 503)), 0, false, 1);
    }
    switch (random.nextInt(5)) {
      case 0: return new SimAction.Fault(ServiceCall.CHECKPOINT_REQUEST, 401, 0, false, times);
      case 1: return new SimAction.Fault(ServiceCall.CHECKPOINT_REQUEST, 429, 0, false, times);
      case 2: return new SimAction.Fault(ServiceCall.CHECKPOINT_REQUEST, random.pick(List.of(500, 502, 503)), 0, false, times);
      case 3: return new SimAction.Fault(ServiceCall.CHECKPOINT_REQUEST, 0, random.between(10, 30_000), false, times);
      default: return new SimAction.Fault(ServiceCall.CHECKPOINT_REQUEST, 0, 0, true, times);
    }
  }

  /**
   * Executes a plan and quiesces the system.
   *
   * @param plan the plan
   * @return what the run observed: empty violations if every invariant held
   */
  public static SimulationRun execute(Plan plan) {
    return new SimulationRun(plan).execute();
  }

  /**
   * Runs the plan of {@code seed}; on a violation, shrinks its action list and fails.
   *
   * @param seed the seed
   * @param options the shape of the run
   * @return the run, if every invariant held
   * @throws SimulationFailure with the seed, the shrunk action list and the first violation
   */
  public static SimulationRun check(long seed, SimulationOptions options) {
    Plan plan = plan(seed, options);
    SimulationRun run = execute(plan);
    if (run.violations().isEmpty()) {
      return run;
    }
    Shrinker.Result<SimAction> shrunk = Shrinker.shrink(plan.actions(),
        candidate -> !execute(plan.withActions(candidate)).violations().isEmpty(),
        action -> List.of(), action -> 1, SHRINK_BUDGET);
    Plan small = plan.withActions(shrunk.shrunk());
    throw new SimulationFailure(small, execute(small).violations(), plan.actions().size());
  }

  /** The delays a fault action describes, as the simulated service takes them. */
  static ServiceFault serviceFault(SimAction.Fault fault) {
    if (fault.drop()) {
      return ServiceFault.dropResponse();
    }
    if (fault.delayMillis() > 0) {
      return ServiceFault.delay(Duration.ofMillis(fault.delayMillis()));
    }
    switch (fault.status()) {
      case 401: return ServiceFault.unauthorized();
      case 404: return ServiceFault.notSupported();
      case 429: return ServiceFault.overloaded();
      default: return ServiceFault.serverError(fault.status());
    }
  }
}

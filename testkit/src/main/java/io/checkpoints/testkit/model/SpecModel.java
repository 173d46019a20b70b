package io.checkpoints.testkit.model;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointStateException.Reason;
import io.checkpoints.ports.ControlPayload;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An independent model of {@code behaviour.md} sections 3-7, 9, 11 and 12, written from the
 * specification's text and not from the domain code: plain fields for the persistent state, one
 * method per action. Section numbers in comments point at the text each rule comes from.
 *
 * <p>Not thread-safe: one instance per run.
 */
final class SpecModel {

  private static final long MAX = Long.MAX_VALUE;

  // Section 2: ps_kv. Null means "no row".
  private Long target;
  private Long counter;
  private Long lastSeen;
  private Long lastApplied;
  // Section 5: the upload queue, numbered by the model itself.
  private final Deque<Long> queue = new ArrayDeque<>();
  private long writesEverQueued;
  // Section 9: per-user sequences, which clear does not touch.
  private final TreeMap<String, Long> perUser = new TreeMap<>();
  // Section 4: the sync iteration (not persistent).
  private Iteration iteration;
  // Sections 7 and 11: the status.
  private boolean connected;
  private boolean connecting;
  private Optional<Long> statusApplied = Optional.empty();
  // Section 6: the upload flow's allocation: the id and the writes queued when it was allocated.
  private Long allocatedId;
  private long writesAtAllocation;
  /** Section 7: the waiters for an applied id, in the order they were created. */
  private final List<Waiter> waiters = new ArrayList<>();

  private static final class Waiter {
    final long id;
    String state = Outcomes.WAITER_PENDING;

    Waiter(long id) {
      this.id = id;
    }
  }

  /** Section 7, epochs: the user of the current epoch (null: none known). Clears need no count
   * here: every waiter of the epoch a clear ends fails at the clear. */
  private String epochUser;
  /** Whether an iteration was ever started: the first start of a client switches from no one. */
  private boolean everStarted;

  /** Whether the host's publisher fails on its next call (fault injection). */
  private boolean publisherFails;
  /** The most recent id of the run, which relative values resolve against. */
  private long recentId = 1;

  private static final class Iteration {
    final String user;
    boolean seeded;
    Checkpoint checkpoint;
    Checkpoint pending;
    boolean receivedLine;

    Iteration(String user) {
      this.user = user;
    }
  }

  private record Checkpoint(String lastOpId, Optional<Long> writeCheckpoint) {}

  long recentId() {
    return recentId;
  }

  Observation observe() {
    TreeMap<String, Long> users = new TreeMap<>(perUser);
    return new Observation(
        Optional.ofNullable(target), Optional.ofNullable(counter), Optional.ofNullable(lastSeen),
        Optional.ofNullable(lastApplied), queue.size(), users, users.size(), iteration != null,
        Optional.ofNullable(iteration).map(it -> it.pending).map(Checkpoint::lastOpId),
        connected, connecting, statusApplied,
        waiters.stream().map(w -> "#" + (waiters.indexOf(w) + 1) + " id=" + w.id + " " + w.state).toList(),
        waiters.stream().filter(w -> w.state.equals(Outcomes.WAITER_PENDING)).count());
  }

  /**
   * Applies one action and returns its predicted outcome. A predicted error changes nothing,
   * except where the specification says a line error ends the iteration.
   */
  String apply(Action action, long recent) {
    try {
      return dispatch(action, recent);
    } catch (PredictedRefusal refused) {
      return refused.getMessage();
    }
  }

  private String dispatch(Action action, long recent) {
    if (action instanceof Action.Start start) {
      return start(start.mode(), start.user().orElse(null));
    }
    if (action instanceof Action.Seed seed) {
      return seed(seed.payload().payload(recent));
    }
    if (action instanceof Action.Next) {
      return Outcomes.id(next());
    }
    if (action instanceof Action.Current) {
      return Outcomes.current(Optional.ofNullable(counter)); // section 3: never allocates
    }
    if (action instanceof Action.AllocateForUpload) {
      long id = next();
      allocatedId = id;
      writesAtAllocation = writesEverQueued;
      return Outcomes.id(id);
    }
    if (action instanceof Action.TargetAcceptedRequest accepted) {
      return targetAccepted(accepted);
    }
    if (action instanceof Action.Target t) {
      return target(t.payload().payload(recent));
    }
    if (action instanceof Action.Write write) {
      return localWrite(write.insertOnly());
    }
    if (action instanceof Action.UploadDone upload) {
      int count = upload.count() < 0 ? queue.size() : Math.min(upload.count(), queue.size());
      for (int i = 0; i < count; i++) {
        queue.removeFirst();
      }
      return Outcomes.OK;
    }
    if (action instanceof Action.CompletedUpload) {
      return completedUpload();
    }
    if (action instanceof Action.Stop) {
      if (iteration != null) { // section 3: stop without an iteration does nothing
        endIteration(false);
      }
      return Outcomes.OK;
    }
    if (action instanceof Action.Abort) {
      if (iteration != null) { // an error outside the lines (an upload failed) ends the iteration
        endIteration(true);
      }
      return Outcomes.OK;
    }
    if (action instanceof Action.AwaitApplied await) {
      return await(await.id().number(recent).orElseThrow());
    }
    if (action instanceof Action.CancelWaiter cancel) {
      if (waiters.isEmpty()) {
        return Outcomes.NO_WAITER;
      }
      Waiter waiter = waiters.get(cancel.index() % waiters.size());
      if (waiter.state.equals(Outcomes.WAITER_PENDING)) {
        waiter.state = Outcomes.WAITER_CANCELLED;
      }
      return Outcomes.OK;
    }
    if (action instanceof Action.Clear clear) {
      return clear(clear.flags());
    }
    if (action instanceof Action.FailNextPublication) {
      publisherFails = true;
      return Outcomes.OK;
    }
    if (action instanceof Action.ResetUserSequence reset) {
      return Outcomes.existed(perUser.remove(reset.user()) != null); // section 9: admin reset
    }
    return line(action, recent);
  }

  // --- Section 4: starting an iteration ---------------------------------------------------------

  private String start(CheckpointMode mode, String user) {
    String outcome = Outcomes.NO_REQUEST;
    if (mode == CheckpointMode.REQUESTS) {
      // initial = max(counter ?? 0, concreteTarget ?? 0, perUserCounter ?? 0, 1); starting writes
      // nothing. A concrete target ignores absent, <= 0 and exactly MAX.
      long initial = 1;
      initial = Math.max(initial, counter == null ? 0 : counter);
      initial = Math.max(initial, target == null || target <= 0 || target == MAX ? 0 : target);
      if (user != null) {
        initial = Math.max(initial, perUser.getOrDefault(user, 0L));
      }
      recentId = initial;
      outcome = Outcomes.request(initial);
    }
    if (iteration != null) {
      endIteration(false);
    }
    // Section 7, epochs: a start for another user than the epoch's (known -> none and none ->
    // known too) is a user switch; the waiters the disconnect left fail like a clear fails them.
    // After an earlier start, the previous user's last seen, last applied and concrete target are
    // no evidence for the new user's ids, which may restart below them: the switch deletes the
    // first two and arms the gate again (target MAX) instead of a concrete target.
    if (!java.util.Objects.equals(epochUser, user)) {
      if (everStarted) {
        lastSeen = null;
        lastApplied = null;
        if (target != null && target != MAX) {
          target = MAX; // the previous user's concrete target says nothing of this user's ids
        }
      }
      epochUser = user;
      failWaiters("UserSwitched");
    }
    everStarted = true;
    iteration = new Iteration(user);
    // Section 11: start sets connecting. Section 7: the applied id is cleared when an iteration starts.
    connected = false;
    connecting = true;
    statusApplied = Optional.empty();
    return outcome;
  }

  private void endIteration(boolean error) {
    // Sections 6 and 11: the end of an iteration drops the pending checkpoint; the status becomes
    // disconnected and (section 7) the applied id is cleared on disconnect.
    iteration = null;
    connected = false;
    connecting = false;
    statusApplied = Optional.empty();
    // Section 7: waiters fail on a sync error, or else on disconnect.
    failWaiters(error ? "SyncFailed" : "Disconnected");
  }

  // --- Section 7: waiters -----------------------------------------------------------------------

  private String await(long id) {
    if (id < 1) {
      throw new PredictedRefusal(Outcomes.argumentError()); // ids are 1..MAX
    }
    Waiter waiter = new Waiter(id);
    waiters.add(waiter);
    // Completes when an applied id >= id is observed: the status's id of this connection counts.
    statusApplied.filter(applied -> applied >= id)
        .ifPresent(applied -> waiter.state = Outcomes.waiterApplied(applied));
    return Outcomes.waiter(waiters.size());
  }

  private void failWaiters(String kind) {
    for (Waiter waiter : waiters) {
      if (waiter.state.equals(Outcomes.WAITER_PENDING)) {
        waiter.state = Outcomes.waiterFailed(kind);
      }
    }
  }

  // --- Section 3: seed, next, target ------------------------------------------------------------

  private String seed(ControlPayload payload) {
    requireIteration(); // the precondition comes before the argument
    SpecPayloadParser.Parsed parsed = SpecPayloadParser.parse(payload);
    if (parsed.isNull() || parsed.value() < 1) {
      throw new PredictedRefusal(Outcomes.argumentError()); // id must be 1..MAX
    }
    long id = parsed.value();
    counter = id; // verbatim, no monotonicity
    if (iteration.user != null) {
      raise(iteration.user, id); // section 9: seed raises the per-user value
    }
    iteration.seeded = true;
    recentId = id;
    return Outcomes.id(id);
  }

  private long next() {
    requireIteration();
    // Section 3 and 12.6: a counter seeded in this iteration. A hard clear unseeds it (section 9).
    if (!iteration.seeded || counter == null) {
      throw new PredictedRefusal(Outcomes.stateError(Reason.NOT_SEEDED));
    }
    long base = counter;
    if (iteration.user != null) {
      base = Math.max(base, perUser.getOrDefault(iteration.user, 0L)); // section 9
    }
    if (base == MAX) {
      throw new PredictedRefusal(Outcomes.stateError(Reason.OVERFLOW)); // section 12.3: changes nothing
    }
    long id = base + 1;
    counter = id;
    if (iteration.user != null) {
      raise(iteration.user, id);
    }
    recentId = id;
    return id;
  }

  private String target(ControlPayload payload) {
    // Section 3: no iteration needed; never touches the counter; returns the value before.
    Optional<Long> previous = Optional.ofNullable(target);
    SpecPayloadParser.Parsed parsed = SpecPayloadParser.parse(payload);
    if (parsed.isNull()) {
      return Outcomes.previous(previous);
    }
    long value = parsed.value();
    if (value < 0) {
      throw new PredictedRefusal(Outcomes.argumentError());
    }
    if (value == 0) {
      target = null;
    } else {
      target = value;
      recentId = value;
    }
    return Outcomes.previous(previous);
  }

  private void raise(String user, long id) {
    perUser.merge(user, id, Math::max); // never lowers
  }

  private void requireIteration() {
    if (iteration == null) {
      throw new PredictedRefusal(Outcomes.stateError(Reason.NO_ACTIVE_ITERATION));
    }
  }

  // --- Section 5: local writes; section 6: the upload flow --------------------------------------

  private String localWrite(boolean insertOnly) {
    queue.addLast(++writesEverQueued);
    if (!insertOnly) {
      // Every write that enters the queue arms the gate (12.4); the counter is untouched.
      target = MAX;
      lastSeen = null;
      lastApplied = null;
    }
    return Outcomes.QUEUED;
  }

  private String targetAccepted(Action.TargetAcceptedRequest accepted) {
    if (allocatedId == null) {
      return Outcomes.NO_ALLOCATION;
    }
    long value = accepted.max() ? MAX
        : allocatedId > MAX - accepted.delta() ? MAX : allocatedId + accepted.delta();
    // "if target == MAX and the queue is empty and no write was queued since the id was allocated"
    boolean adopt = target != null && target == MAX && queue.isEmpty()
        && writesEverQueued == writesAtAllocation;
    if (adopt) {
      target = value;
      recentId = value;
    }
    return Outcomes.adopted(adopt);
  }

  // --- Section 6: the gate and the pending checkpoint -------------------------------------------

  private boolean gateOpen() {
    return queue.isEmpty() && (target == null || target <= (lastSeen == null ? 0 : lastSeen));
  }

  /** A full checkpoint validated: last seen first, then the gate. */
  private String validated(Checkpoint checkpoint) {
    Long seen = checkpoint.writeCheckpoint().orElse(lastSeen);
    boolean open = queue.isEmpty() && (target == null || target <= (seen == null ? 0 : seen));
    if (open) {
      publish(); // in the transaction that records last seen and last applied: all or nothing
    }
    lastSeen = seen;
    if (!open) {
      iteration.pending = checkpoint; // one at most
      return Outcomes.held();
    }
    checkpoint.writeCheckpoint().ifPresent(wc -> lastApplied = wc);
    iteration.pending = null; // 12.2: an applied checkpoint is not applied again by completed_upload
    statusApplied = checkpoint.writeCheckpoint(); // section 7: the most recent full apply
    checkpoint.writeCheckpoint().ifPresent(applied -> {
      for (Waiter waiter : waiters) { // never only ==: any applied id >= the waited-for id
        if (waiter.state.equals(Outcomes.WAITER_PENDING) && applied >= waiter.id) {
          waiter.state = Outcomes.waiterApplied(applied);
        }
      }
    });
    return Outcomes.applied(checkpoint.writeCheckpoint());
  }

  /**
   * The host publishes a checkpoint's data. If it fails, the transaction rolls back: nothing the
   * validation would have changed is kept (ports: {@code CheckpointPublisher}).
   */
  private void publish() {
    if (publisherFails) {
      publisherFails = false;
      throw new PredictedRefusal(Outcomes.PUBLISHER_ERROR);
    }
  }

  private String completedUpload() {
    requireIteration(); // section 3: a state error without an iteration
    Checkpoint pending = iteration.pending;
    if (pending == null) {
      return Outcomes.lines(List.of());
    }
    // Skipped if older than the target: an absent write checkpoint is older than any target; any
    // checkpoint is not older than an absent target. 12.1: it stays pending either way.
    boolean older = target != null
        && (pending.writeCheckpoint().isEmpty() || pending.writeCheckpoint().get() < target);
    if (older) {
      return Outcomes.lines(List.of());
    }
    String outcome = validated(pending);
    // A retry the gate blocks reports nothing (and the checkpoint stays pending, 12.1).
    return Outcomes.lines(outcome.equals(Outcomes.held()) ? List.of() : List.of(outcome));
  }

  // --- Section 11: sync lines -------------------------------------------------------------------

  private String line(Action action, long recent) {
    requireIteration();
    List<String> outcomes = new ArrayList<>();
    try {
      handle(action, recent, outcomes);
    } catch (PredictedRefusal refused) {
      endIteration(true); // every error raised while handling a line ends the iteration
      throw refused;
    }
    if (!iteration.receivedLine) {
      iteration.receivedLine = true;
      connected = true; // the first line of the iteration sets connected and clears connecting
      connecting = false;
    }
    if (outcomes.contains(Outcomes.closed())) {
      endIteration(false); // the stream closed: a disconnect, not an error
    }
    return Outcomes.lines(outcomes);
  }

  private void handle(Action action, long recent, List<String> outcomes) {
    if (action instanceof Action.CheckpointLine checkpoint) {
      iteration.checkpoint = new Checkpoint(checkpoint.lastOpId(),
          checkpoint.writeCheckpoint().number(recent));
      iteration.pending = null; // a new checkpoint line drops the pending one
    } else if (action instanceof Action.CheckpointDiffLine diff) {
      if (iteration.checkpoint == null) {
        throw new PredictedRefusal(Outcomes.protocolError());
      }
      // A checkpoint_diff replaces the write checkpoint (an omitted one leaves none).
      iteration.checkpoint = new Checkpoint(diff.lastOpId(), diff.writeCheckpoint().number(recent));
      iteration.pending = null;
    } else if (action instanceof Action.CheckpointCompleteLine) {
      if (iteration.checkpoint == null) {
        throw new PredictedRefusal(Outcomes.protocolError());
      }
      // A different last_op_id is ignored: it completes the current checkpoint, each time.
      outcomes.add(validated(iteration.checkpoint));
    } else if (action instanceof Action.PartialCompleteLine partial) {
      if (iteration.checkpoint == null) {
        throw new PredictedRefusal(Outcomes.stateError(Reason.LINE_OUT_OF_ORDER));
      }
      // Priority 0 always publishes; priority >= 1 only through the gate; never updates last seen.
      if (partial.priority() == 0 || gateOpen()) {
        publish();
        outcomes.add(Outcomes.partialApplied(partial.priority()));
      }
    } else if (action instanceof Action.TokenExpiresLine expiry) {
      if (expiry.seconds() <= 0) {
        outcomes.add(Outcomes.closed());
      }
    } else if (!(action instanceof Action.OtherLine)) {
      throw new IllegalArgumentException("not a sync line: " + action);
    }
  }

  // --- Section 9: clear -------------------------------------------------------------------------

  private String clear(int flags) {
    if ((flags & 0x02) != 0 && iteration != null) {
      throw new PredictedRefusal(Outcomes.stateError(Reason.CLEAR_REFUSED)); // soft clear during an iteration
    }
    // Every ps_kv key except client_id, and the upload queue; per-user sequences stay.
    target = null;
    counter = null;
    lastSeen = null;
    lastApplied = null;
    queue.clear();
    if (iteration != null) {
      // A hard clear keeps the iteration and its pending checkpoint; the counter is unseeded.
      iteration.seeded = false;
    }
    failWaiters("Cleared"); // section 7: requests do not survive a clear
    statusApplied = Optional.empty(); // section 7: the applied id is cleared on clear
    return Outcomes.OK;
  }
}

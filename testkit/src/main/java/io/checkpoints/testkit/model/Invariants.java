package io.checkpoints.testkit.model;

import io.checkpoints.domain.LineOutcome;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.model.DomainHarness.Publication;
import io.checkpoints.testkit.model.DomainHarness.StoreView;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Rules the domain must keep after every step, checked on the domain's own observations (not on
 * the model): the gate, one event per apply, how last seen/applied, the counter, the target, the
 * queue and the per-user sequences may move. They catch a bug even where the model shares it.
 * Not thread-safe: one instance per run.
 */
final class Invariants {

  private static final long MAX = Long.MAX_VALUE;

  /** A broken rule: its name and what happened. */
  record Violation(String rule, String detail) {}

  /** The write checkpoint of the current checkpoint of the iteration, as the lines set it. */
  private Optional<Long> currentWriteCheckpoint = Optional.empty();
  /** The user of the active iteration, if one is active and has a user. */
  private Optional<String> iterationUser = Optional.empty();
  /** The user of the last start (empty: none known), and whether any start happened. */
  private Optional<String> epochUser = Optional.empty();
  private boolean everStarted;

  Optional<Violation> check(Action action, long recent, StoreView before, StoreView after,
      String outcome, List<Publication> publications, List<LineOutcome> lineOutcomes,
      Optional<Long> queuedSequence, Optional<CheckpointRequest> request,
      List<LineOutcome.Applied> appliedEvents, List<SyncStatusSnapshot> statusEvents) {
    Optional<Violation> violation = checkAll(action, recent, before, after, outcome, publications,
        lineOutcomes, queuedSequence, request);
    if (violation.isEmpty()) {
      violation = checkEvents(before, after, lineOutcomes, appliedEvents, statusEvents);
    }
    track(action, recent, after, outcome);
    return violation;
  }

  private Optional<Violation> checkAll(Action action, long recent, StoreView beforeView,
      StoreView afterView, String outcome, List<Publication> publications,
      List<LineOutcome> lineOutcomes, Optional<Long> queuedSequence,
      Optional<CheckpointRequest> request) {
    Observation before = beforeView.observation();
    Observation after = afterView.observation();
    boolean failed = Outcomes.isError(outcome);

    // The client id never changes, and the initial request carries it.
    if (!afterView.clientId().equals(beforeView.clientId())) {
      return violation("client id is stable", beforeView.clientId() + " became " + afterView.clientId());
    }
    if (request.isPresent() && !request.get().clientId().equals(afterView.clientId())) {
      return violation("the initial request carries the client id",
          request.get().clientId() + " instead of " + afterView.clientId());
    }

    // Section 6: no full or priority >= 1 checkpoint publishes unless the queue is empty and
    // target <= last seen; checked inside the publishing transaction.
    for (Publication p : publications) {
      boolean gated = p.publication().isFull() || p.publication().partialPriority().getAsInt() >= 1;
      long seen = p.lastSeen().map(WriteCheckpoint::value).orElse(0L);
      boolean open = p.queueSize() == 0 && p.target().map(t -> t.value() <= seen).orElse(true);
      if (gated && !open) {
        return violation("the gate holds back full and priority >= 1 checkpoints",
            "published " + p.publication() + " with " + p.queueSize() + " queued writes, target "
                + p.target().map(Object::toString).orElse("absent") + ", last seen "
                + p.lastSeen().map(Object::toString).orElse("absent"));
      }
    }

    // Section 7: exactly one event per publication, in order, with its write checkpoint.
    List<Publication> full = publications.stream().filter(p -> p.publication().isFull()).toList();
    List<LineOutcome.Applied> applied = lineOutcomes.stream()
        .filter(LineOutcome.Applied.class::isInstance).map(LineOutcome.Applied.class::cast).toList();
    List<Publication> partial = publications.stream().filter(p -> !p.publication().isFull()).toList();
    List<LineOutcome.PartialApplied> partialApplied = lineOutcomes.stream()
        .filter(LineOutcome.PartialApplied.class::isInstance)
        .map(LineOutcome.PartialApplied.class::cast).toList();
    if (full.size() != applied.size() || partial.size() != partialApplied.size()) {
      return violation("one applied event per publication",
          full.size() + " full and " + partial.size() + " partial publications, but outcomes "
              + lineOutcomes);
    }
    for (int i = 0; i < full.size(); i++) {
      if (!full.get(i).publication().writeCheckpoint().equals(applied.get(i).writeCheckpoint())) {
        return violation("the applied event carries the published write checkpoint",
            full.get(i).publication() + " reported as " + applied.get(i));
      }
    }
    for (int i = 0; i < partial.size(); i++) {
      if (partial.get(i).publication().partialPriority().getAsInt() != partialApplied.get(i).priority()) {
        return violation("the partial event carries the published priority",
            partial.get(i).publication() + " reported as " + partialApplied.get(i));
      }
    }

    // Section 6: last seen / last applied.
    if (after.lastApplied().isPresent() && after.lastSeen().isEmpty()) {
      return violation("last applied exists only with last seen",
          "last applied " + after.lastApplied().get() + " without last seen");
    }
    boolean validates = action instanceof Action.CheckpointCompleteLine
        || action instanceof Action.CompletedUpload;
    boolean arms = action instanceof Action.Write write && !write.insertOnly();
    boolean cleared = action instanceof Action.Clear && !failed;
    if (arms) {
      if (after.lastSeen().isPresent() || after.lastApplied().isPresent()
          || !after.target().equals(Optional.of(MAX))) {
        return violation("a local write arms the gate: target MAX, no last seen or applied",
            after.summary());
      }
    } else if (action instanceof Action.Start start && !failed && everStarted
        && !start.user().equals(epochUser)) {
      if (after.lastSeen().isPresent() || after.lastApplied().isPresent()) {
        return violation("a start as another user deletes last seen and applied", after.summary());
      }
    } else if (cleared) {
      if (after.target().isPresent() || after.counter().isPresent() || after.lastSeen().isPresent()
          || after.lastApplied().isPresent() || after.queueSize() != 0) {
        return violation("clear deletes every checkpoint key and the queue", after.summary());
      }
    } else if (validates && !failed) {
      Optional<Long> wc = currentWriteCheckpoint;
      if (!after.lastSeen().equals(before.lastSeen())
          && (wc.isEmpty() || !after.lastSeen().equals(wc))) {
        return violation("last seen becomes the validated checkpoint's write checkpoint",
            "last seen " + Observation.show(before.lastSeen()) + " became "
                + Observation.show(after.lastSeen()) + "; the checkpoint's write checkpoint is "
                + Observation.show(wc));
      }
      if (!after.lastApplied().equals(before.lastApplied())) {
        boolean reported = applied.stream().anyMatch(a -> a.writeCheckpoint()
            .map(WriteCheckpoint::value).equals(after.lastApplied()));
        if (!reported || !after.lastApplied().equals(after.lastSeen())) {
          return violation("last applied changes only with an apply, to the applied write checkpoint",
              "last applied " + Observation.show(before.lastApplied()) + " became "
                  + Observation.show(after.lastApplied()) + " with outcomes " + lineOutcomes
                  + " and last seen " + Observation.show(after.lastSeen()));
        }
      }
    } else if (!after.lastSeen().equals(before.lastSeen())
        || !after.lastApplied().equals(before.lastApplied())) {
      return violation("only a validated checkpoint, a local write or a clear moves last seen/applied",
          "last seen " + Observation.show(before.lastSeen()) + " -> " + Observation.show(after.lastSeen())
              + ", last applied " + Observation.show(before.lastApplied()) + " -> "
              + Observation.show(after.lastApplied()));
    }
    for (LineOutcome.Applied a : applied) {
      Optional<Long> wc = a.writeCheckpoint().map(WriteCheckpoint::value);
      if (wc.isPresent() && (!after.lastApplied().equals(wc) || !after.lastSeen().equals(wc))) {
        return violation("an apply records its write checkpoint as last seen and last applied",
            a + " but " + after.summary());
      }
    }

    // Section 3: the counter moves only as specified.
    boolean allocates = action instanceof Action.Next || action instanceof Action.AllocateForUpload;
    if (!failed && (allocates || action instanceof Action.Seed)) {
      long id = Long.parseLong(outcome.substring("id ".length()));
      if (!after.counter().equals(Optional.of(id))) {
        return violation("seed and next store the id they return as the counter",
            "returned " + id + " but the counter is " + Observation.show(after.counter()));
      }
      if (allocates && (before.counter().isEmpty() || id <= before.counter().get())) {
        return violation("next allocates above the counter",
            "returned " + id + " after counter " + Observation.show(before.counter()));
      }
      if (iterationUser.isPresent()) {
        Long perUser = after.userSequences().get(iterationUser.get());
        if (perUser == null || perUser < id) {
          return violation("seed and next raise the iteration user's sequence",
              iterationUser.get() + " has " + perUser + " after id " + id);
        }
        Long perUserBefore = before.userSequences().get(iterationUser.get());
        if (allocates && perUserBefore != null && id <= perUserBefore) {
          return violation("next continues above the per-user sequence",
              "returned " + id + " after " + iterationUser.get() + "'s " + perUserBefore);
        }
      }
    } else if (!cleared && !after.counter().equals(before.counter())) {
      return violation("only seed, next and clear move the counter",
          Observation.show(before.counter()) + " became " + Observation.show(after.counter()));
    }

    // Section 9: only seed and next raise a per-user sequence, and only to the id they return.
    boolean raises = !failed && (allocates || action instanceof Action.Seed);
    for (Map.Entry<String, Long> entry : after.userSequences().entrySet()) {
      Long was = before.userSequences().get(entry.getKey());
      if (!entry.getValue().equals(was) && !(raises && iterationUser.equals(Optional.of(entry.getKey()))
          && entry.getValue() == Long.parseLong(outcome.substring("id ".length())))) {
        return violation("only seed and next raise a per-user sequence, to the id they return",
            entry.getKey() + "'s " + was + " became " + entry.getValue() + " after " + outcome);
      }
    }
    // Section 9: the per-user sequences never decrease (only the administrative reset forgets one).
    for (Map.Entry<String, Long> entry : before.userSequences().entrySet()) {
      String user = entry.getKey();
      Long now = after.userSequences().get(user);
      boolean reset = action instanceof Action.ResetUserSequence r && r.user().equals(user);
      if (reset ? now != null : now == null || now < entry.getValue()) {
        return violation("a per-user sequence never decreases",
            user + "'s " + entry.getValue() + " became " + now);
      }
    }

    // Sections 3, 5, 6: only writes, target, the accepted request and clear move the target.
    boolean movesTarget = arms || cleared || action instanceof Action.Target
        || action instanceof Action.TargetAcceptedRequest;
    if (!movesTarget && !after.target().equals(before.target())) {
      return violation("only writes, target(v), the accepted request and clear move the target",
          Observation.show(before.target()) + " became " + Observation.show(after.target()));
    }
    if (action instanceof Action.TargetAcceptedRequest
        && !after.target().equals(before.target())
        && (!before.target().equals(Optional.of(MAX)) || before.queueSize() != 0)) {
      return violation("the accepted id replaces only a MAX target with an empty queue",
          before.summary() + " -> " + after.summary());
    }

    // The queue: every write gets a number above every earlier one; only uploads and clear shrink it.
    if (afterView.lastSequence() < beforeView.lastSequence()) {
      return violation("the queue's last sequence never decreases",
          beforeView.lastSequence() + " became " + afterView.lastSequence());
    }
    if (action instanceof Action.Write) {
      long sequence = queuedSequence.orElseThrow();
      if (sequence <= beforeView.lastSequence() || afterView.lastSequence() != sequence
          || after.queueSize() != before.queueSize() + 1) {
        return violation("a write is queued with a new, greater sequence number",
            "sequence " + sequence + " after last sequence " + beforeView.lastSequence()
                + "; queue " + before.queueSize() + " -> " + after.queueSize()
                + ", last sequence now " + afterView.lastSequence());
      }
    } else if (action instanceof Action.UploadDone) {
      if (after.queueSize() > before.queueSize()) {
        return violation("an upload never grows the queue",
            before.queueSize() + " -> " + after.queueSize());
      }
    } else if (!cleared && after.queueSize() != before.queueSize()) {
      return violation("only writes, uploads and clear change the queue",
          before.queueSize() + " -> " + after.queueSize());
    }

    // Section 11: every error raised while handling a line ends the iteration.
    boolean line = isLine(action);
    if (line && failed && !outcome.equals(
        Outcomes.stateError(CheckpointStateException.Reason.NO_ACTIVE_ITERATION))
        && (after.iterationActive() || after.connected() || after.connecting())) {
      return violation("a line error ends the iteration and disconnects", after.summary());
    }
    return Optional.empty();
  }

  /**
   * Section 7: each full apply emits exactly one applied event, partial applies none; status
   * listeners hear each change once, and the last one they heard is the current status.
   */
  private static Optional<Violation> checkEvents(StoreView before, StoreView after,
      List<LineOutcome> lineOutcomes, List<LineOutcome.Applied> appliedEvents,
      List<SyncStatusSnapshot> statusEvents) {
    List<LineOutcome> applied = lineOutcomes.stream()
        .filter(LineOutcome.Applied.class::isInstance).toList();
    if (!appliedEvents.equals(applied)) {
      return violation("exactly one applied event per full apply, none for partial applies",
          "events " + appliedEvents + " for outcomes " + lineOutcomes);
    }
    SyncStatusSnapshot previous = before.status();
    for (SyncStatusSnapshot event : statusEvents) {
      if (event.equals(previous)) {
        return violation("a status listener hears each change once", "repeated " + event);
      }
      previous = event;
    }
    if (!previous.equals(after.status())) {
      return violation("status listeners heard the current status",
          "last heard " + previous + " but the status is " + after.status());
    }
    return Optional.empty();
  }

  private void track(Action action, long recent, StoreView after, String outcome) {
    if (action instanceof Action.Start start) {
      iterationUser = start.user();
      if (!Outcomes.isError(outcome)) {
        epochUser = start.user();
        everStarted = true;
      }
      currentWriteCheckpoint = Optional.empty();
    }
    if (!Outcomes.isError(outcome)) {
      if (action instanceof Action.CheckpointLine line) {
        currentWriteCheckpoint = line.writeCheckpoint().number(recent);
      } else if (action instanceof Action.CheckpointDiffLine diff) {
        currentWriteCheckpoint = diff.writeCheckpoint().number(recent);
      }
    }
    if (!after.observation().iterationActive()) {
      iterationUser = Optional.empty();
      currentWriteCheckpoint = Optional.empty();
    }
  }

  static boolean isLine(Action action) {
    return action instanceof Action.CheckpointLine || action instanceof Action.CheckpointDiffLine
        || action instanceof Action.CheckpointCompleteLine
        || action instanceof Action.PartialCompleteLine || action instanceof Action.TokenExpiresLine
        || action instanceof Action.OtherLine;
  }

  private static Optional<Violation> violation(String rule, String detail) {
    return Optional.of(new Violation(Objects.requireNonNull(rule), detail));
  }
}

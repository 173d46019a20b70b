package io.checkpoints.testkit.model;

import io.checkpoints.ports.CheckpointMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How each kind of {@link Action} shrinks: its simpler variants and the complexity that shrinking
 * lowers. Kept apart from the records so that {@code Action.java} holds what the actions are, and
 * this file the one rule shrinking relies on: every simpler variant has a lower complexity.
 * Stateless, so thread-safe.
 */
final class ActionShrinking {

  private ActionShrinking() {}

  /** @return the simpler variants of {@code action}; empty for actions that cannot shrink */
  static List<Action> simpler(Action action) {
    if (action instanceof Action.Start start) {
      return simplerStarts(start.mode(), start.user());
    }
    if (action instanceof Action.Seed seed) {
      return seed.payload().simpler().stream().<Action>map(Action.Seed::new).toList();
    }
    if (action instanceof Action.TargetAcceptedRequest accepted) {
      if (accepted.max()) {
        return List.of(new Action.TargetAcceptedRequest(0, false));
      }
      return accepted.delta() == 0 ? List.of() : List.of(new Action.TargetAcceptedRequest(0, false));
    }
    if (action instanceof Action.Target target) {
      return target.payload().simpler().stream().<Action>map(Action.Target::new).toList();
    }
    if (action instanceof Action.Write write) {
      return write.insertOnly() ? List.of(new Action.Write(false)) : List.of();
    }
    if (action instanceof Action.UploadDone upload) {
      return upload.count() < 0 ? List.of() : List.of(new Action.UploadDone(-1));
    }
    if (action instanceof Action.CheckpointLine line) {
      return line.writeCheckpoint().simpler().stream()
          .<Action>map(wc -> new Action.CheckpointLine(line.lastOpId(), wc)).toList();
    }
    if (action instanceof Action.CheckpointDiffLine diff) {
      List<Action> candidates = new ArrayList<>();
      candidates.add(new Action.CheckpointLine(diff.lastOpId(), diff.writeCheckpoint()));
      diff.writeCheckpoint().simpler()
          .forEach(wc -> candidates.add(new Action.CheckpointDiffLine(diff.lastOpId(), wc)));
      return candidates;
    }
    if (action instanceof Action.PartialCompleteLine partial) {
      return partial.priority() > 1 ? List.of(new Action.PartialCompleteLine(partial.lastOpId(), 1)) : List.of();
    }
    if (action instanceof Action.Clear clear) {
      int simplest = clear.flags() & 0x02;
      return clear.flags() == simplest ? List.of() : List.of(new Action.Clear(simplest));
    }
    if (action instanceof Action.AwaitApplied await) {
      return await.id().simpler().stream().filter(v -> v instanceof Value.Literal || v instanceof Value.Recent)
          .<Action>map(Action.AwaitApplied::new).toList();
    }
    if (action instanceof Action.CancelWaiter cancel) {
      return cancel.index() > 0 ? List.of(new Action.CancelWaiter(0)) : List.of();
    }
    return List.of();
  }

  private static List<Action> simplerStarts(CheckpointMode mode, Optional<String> user) {
    List<Action> candidates = new ArrayList<>();
    if (user.isPresent()) {
      candidates.add(new Action.Start(mode, Optional.empty()));
      if (!user.get().equals(ModelRunner.USERS.get(0))) {
        candidates.add(new Action.Start(mode, Optional.of(ModelRunner.USERS.get(0))));
      }
    }
    if (mode == CheckpointMode.REQUESTS) {
      candidates.add(new Action.Start(CheckpointMode.LEGACY, user));
    }
    return candidates;
  }

  /** @return how complicated {@code action} is; 1 for actions that cannot shrink */
  static int complexity(Action action) {
    if (action instanceof Action.Start start) {
      return 1 + (start.mode() == CheckpointMode.REQUESTS ? 1 : 0)
          + start.user().map(u -> 2 + ModelRunner.USERS.indexOf(u)).orElse(0);
    }
    if (action instanceof Action.Seed seed) {
      return 1 + seed.payload().complexity();
    }
    if (action instanceof Action.TargetAcceptedRequest accepted) {
      return 1 + (accepted.max() ? 64 : 64 - Long.numberOfLeadingZeros(accepted.delta()));
    }
    if (action instanceof Action.Target target) {
      return 1 + target.payload().complexity();
    }
    if (action instanceof Action.Write write) {
      return write.insertOnly() ? 2 : 1;
    }
    if (action instanceof Action.UploadDone upload) {
      return upload.count() < 0 ? 1 : 2 + upload.count();
    }
    if (action instanceof Action.CheckpointLine line) {
      return 1 + line.writeCheckpoint().complexity();
    }
    if (action instanceof Action.CheckpointDiffLine diff) {
      return 2 + diff.writeCheckpoint().complexity();
    }
    if (action instanceof Action.PartialCompleteLine partial) {
      return 1 + partial.priority();
    }
    if (action instanceof Action.Clear clear) {
      return 1 + Integer.bitCount(clear.flags());
    }
    if (action instanceof Action.AwaitApplied await) {
      return 1 + await.id().complexity();
    }
    if (action instanceof Action.CancelWaiter cancel) {
      return 1 + cancel.index();
    }
    return 1;
  }
}

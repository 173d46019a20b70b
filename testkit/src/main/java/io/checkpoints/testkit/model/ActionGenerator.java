package io.checkpoints.testkit.model;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.testkit.support.SeededRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Generates random action lists from a {@link SeededRandom}. Besides single actions it emits the
 * typical flows of a client as consecutive actions (connect and seed; upload, allocate, adopt the
 * accepted id, completed upload; a checkpoint and its completion; a checkpoint held back by a
 * write until the upload acknowledges it), so that random lists reach the
 * states where the gate opens and closes. Values cluster around the most recent id of the run
 * and the edges ({@code 0}, negative, {@code MIN}, {@code MAX}).
 *
 * <p>Stateless and thread-safe; the random source is the caller's.
 */
public final class ActionGenerator {

  private static final long MAX = Long.MAX_VALUE;

  /** Text payloads: accepted forms and each way to get the form wrong. */
  private static final List<String> TEXTS = List.of(
      "+7", "0042", "-0", "+0", "0", "", "abc", " 5", "5 ", "1e3", "5.0", "0x10", "+", "-", "--1",
      "+-1", "9223372036854775807", "+9223372036854775806", "9223372036854775808",
      "-9223372036854775808", "00000000000000000000000000001", "-1", "٣");

  private ActionGenerator() {}

  /**
   * @param random the random source
   * @param maxActions the most actions in the list
   * @return a list of 1 to {@code maxActions} actions
   */
  public static List<Action> generate(SeededRandom random, int maxActions) {
    if (maxActions < 1) {
      throw new IllegalArgumentException("maxActions must be positive, got " + maxActions);
    }
    int length = 1 + random.nextInt(maxActions);
    List<Action> actions = new ArrayList<>(length + 4);
    String[] lastOpId = {"1"};
    while (actions.size() < length) {
      addChunk(random, actions, lastOpId);
    }
    return List.copyOf(actions.subList(0, length));
  }

  private static void addChunk(SeededRandom r, List<Action> out, String[] lastOpId) {
    switch (r.weighted(10, 6, 8, 4, 2, 4, 2, 3, 2, 5, 9, 5, 6, 3, 6, 5, 1, 1, 5, 1, 2, 2, 1, 4, 1, 1, 2, 2, 2, 2)) {
      case 0 -> { // connect: start and seed with the id the service accepted
        out.add(new Action.Start(r.chance(0.9) ? CheckpointMode.REQUESTS : CheckpointMode.LEGACY, user(r)));
        out.add(new Action.Seed(r.chance(0.7) ? new Value.Recent(0) : new Value.Recent(r.between(1, 50))));
      }
      case 1 -> { // the upload flow
        out.add(new Action.UploadDone(-1));
        out.add(new Action.AllocateForUpload());
        out.add(accepted(r));
        out.add(new Action.CompletedUpload());
      }
      case 2 -> { // a checkpoint and its completion
        String op = opId(r);
        lastOpId[0] = op;
        out.add(new Action.CheckpointLine(op, r.chance(0.8) ? new Value.Recent(r.between(-1, 2)) : writeCheckpoint(r)));
        out.add(new Action.CheckpointCompleteLine(op));
      }
      case 3 -> { // a checkpoint held by a write, released by the upload that acknowledges it
        String op = opId(r);
        lastOpId[0] = op;
        out.add(new Action.Write(r.chance(0.2)));
        out.add(new Action.CheckpointLine(op, new Value.Recent(r.between(0, 2))));
        out.add(new Action.CheckpointCompleteLine(op));
        out.add(new Action.UploadDone(-1));
        out.add(new Action.AllocateForUpload());
        out.add(accepted(r));
        out.add(new Action.CompletedUpload());
      }
      case 4 -> out.add(new Action.Start(r.chance(0.6) ? CheckpointMode.REQUESTS : CheckpointMode.LEGACY, user(r)));
      case 5 -> out.add(new Action.Seed(seedPayload(r)));
      case 6 -> out.add(new Action.Current());
      case 7 -> out.add(new Action.AllocateForUpload());
      case 8 -> out.add(accepted(r));
      case 9 -> out.add(new Action.Target(targetPayload(r)));
      case 10 -> out.add(new Action.Write(r.chance(0.25)));
      case 11 -> out.add(new Action.UploadDone(r.chance(0.7) ? -1 : r.nextInt(3)));
      case 12 -> {
        String op = opId(r);
        lastOpId[0] = op;
        out.add(new Action.CheckpointLine(op, writeCheckpoint(r)));
      }
      case 13 -> {
        String op = opId(r);
        lastOpId[0] = op;
        out.add(new Action.CheckpointDiffLine(op, writeCheckpoint(r)));
      }
      case 14 -> out.add(new Action.CheckpointCompleteLine(r.chance(0.8) ? lastOpId[0] : opId(r)));
      case 15 -> out.add(new Action.PartialCompleteLine(r.chance(0.8) ? lastOpId[0] : opId(r), r.nextInt(4)));
      case 16 -> out.add(new Action.TokenExpiresLine(r.pick(List.of(-1L, 0L, 1L, 3600L))));
      case 17 -> out.add(new Action.OtherLine(r.pick(List.of("data", "keepalive", "unknown_line_type"))));
      case 18 -> out.add(new Action.CompletedUpload());
      case 19 -> out.add(new Action.Stop());
      case 20 -> out.add(new Action.Clear(r.pick(List.of(0, 0, 1, 2, 2, 3, 4, 6))));
      case 21 -> out.add(r.chance(0.3)
          ? new Action.ResetUserSequence(r.pick(ModelRunner.USERS))
          : new Action.Next());
      case 22 -> out.add(new Action.FailNextPublication());
      case 23 -> out.add(new Action.AwaitApplied(r.chance(0.8)
          ? new Value.Recent(r.between(-1, 2)) : Value.of(r.pick(List.of(1L, MAX, 0L)))));
      case 24 -> out.add(new Action.CancelWaiter(r.nextInt(4)));
      case 25 -> out.add(new Action.Abort());
      // Epochs (section 7): waiters open across a clear, a user switch or a reconnect, then a
      // checkpoint whose write checkpoint covers their ids, which must complete only the waiters of
      // the epoch it applies in.
      case 26 -> { // a hard clear during the iteration
        out.add(waiterAhead(r));
        out.add(new Action.Clear(r.pick(List.of(0, 1, 4))));
        out.add(new Action.Seed(new Value.Recent(0)));
        out.add(waiterAhead(r));
        coveringCheckpoint(r, out, lastOpId);
      }
      case 27 -> { // a soft clear: refused during the iteration, allowed once stopped
        out.add(waiterAhead(r));
        out.add(new Action.Clear(2));
        coveringCheckpoint(r, out, lastOpId);
        out.add(new Action.Stop());
        out.add(waiterAhead(r));
        out.add(new Action.Clear(r.pick(List.of(2, 3, 6))));
        out.add(new Action.Start(CheckpointMode.REQUESTS, user(r)));
        out.add(new Action.Seed(new Value.Recent(0)));
        coveringCheckpoint(r, out, lastOpId);
      }
      case 28 -> { // a user switch: another user, or a known user to none and back
        out.add(waiterAhead(r));
        Optional<String> next = r.chance(0.5) ? Optional.empty() : user(r);
        out.add(new Action.Start(CheckpointMode.REQUESTS, next));
        out.add(new Action.Seed(new Value.Recent(r.between(0, 3))));
        out.add(waiterAhead(r));
        coveringCheckpoint(r, out, lastOpId);
        if (r.chance(0.5)) {
          out.add(new Action.Stop());
          out.add(waiterAhead(r));
          out.add(new Action.Start(CheckpointMode.REQUESTS, Optional.of(r.pick(ModelRunner.USERS))));
          out.add(new Action.Seed(new Value.Recent(0)));
          coveringCheckpoint(r, out, lastOpId);
        }
      }
      case 29 -> { // disconnect and reconnect as the same user, with a waiter opened while offline
        Optional<String> user = user(r);
        out.add(new Action.Start(CheckpointMode.REQUESTS, user));
        out.add(new Action.Seed(new Value.Recent(0)));
        out.add(waiterAhead(r));
        out.add(r.chance(0.7) ? new Action.Stop() : new Action.Abort());
        out.add(waiterAhead(r));
        out.add(new Action.Start(CheckpointMode.REQUESTS, user));
        out.add(new Action.Seed(new Value.Recent(0)));
        coveringCheckpoint(r, out, lastOpId);
      }
      default -> throw new AssertionError("unreachable");
    }
    if (r.chance(0.2)) {
      out.add(new Action.Next());
    }
  }

  private static Optional<String> user(SeededRandom r) {
    return switch (r.weighted(4, 3, 2, 1)) {
      case 0 -> Optional.empty();
      case 1 -> Optional.of(ModelRunner.USERS.get(0));
      case 2 -> Optional.of(ModelRunner.USERS.get(1));
      default -> Optional.of(ModelRunner.USERS.get(2));
    };
  }

  /** A waiter for an id a little above the most recent one: pending until a checkpoint covers it. */
  private static Action waiterAhead(SeededRandom r) {
    return new Action.AwaitApplied(new Value.Recent(r.between(0, 3)));
  }

  /** A checkpoint whose write checkpoint is at or above the waiters' ids, and its completion. */
  private static void coveringCheckpoint(SeededRandom r, List<Action> out, String[] lastOpId) {
    String op = opId(r);
    lastOpId[0] = op;
    out.add(new Action.CheckpointLine(op, new Value.Recent(r.between(3, 6))));
    out.add(new Action.CheckpointCompleteLine(op));
  }

  private static String opId(SeededRandom r) {
    return Long.toString(r.between(1, 6));
  }

  private static Action accepted(SeededRandom r) {
    return switch (r.weighted(6, 3, 1)) {
      case 0 -> new Action.TargetAcceptedRequest(0, false);
      case 1 -> new Action.TargetAcceptedRequest(r.between(1, 5), false);
      default -> new Action.TargetAcceptedRequest(0, true);
    };
  }

  private static Value seedPayload(SeededRandom r) {
    return switch (r.weighted(40, 15, 10, 10, 5, 5, 15)) {
      case 0 -> new Value.Recent(0);
      case 1 -> new Value.Recent(r.between(1, 50));
      case 2 -> new Value.Recent(-r.between(1, 5));
      case 3 -> Value.of(r.pick(List.of(1L, 1L, MAX, MAX - 1, MAX - 2)));
      case 4 -> Value.of(r.pick(List.of(0L, -1L, Long.MIN_VALUE)));
      case 5 -> Value.of(r.between(1, 100));
      default -> r.chance(0.1) ? Value.ABSENT : new Value.Text(r.pick(TEXTS));
    };
  }

  private static Value targetPayload(SeededRandom r) {
    return switch (r.weighted(25, 15, 10, 25, 10, 5, 10)) {
      case 0 -> Value.ABSENT;
      case 1 -> Value.of(0);
      case 2 -> Value.of(MAX);
      case 3 -> new Value.Recent(r.between(-2, 2));
      case 4 -> Value.of(r.between(1, 20));
      case 5 -> Value.of(r.pick(List.of(-1L, -7L, Long.MIN_VALUE)));
      default -> new Value.Text(r.pick(TEXTS));
    };
  }

  private static Value writeCheckpoint(SeededRandom r) {
    return switch (r.weighted(15, 40, 15, 8, 7, 10, 5)) {
      case 0 -> Value.ABSENT;
      case 1 -> new Value.Recent(r.between(-2, 2));
      case 2 -> Value.of(r.between(0, 10));
      case 3 -> Value.of(r.pick(List.of(-1L, -3L, -r.between(2, 1000), Long.MIN_VALUE)));
      case 4 -> Value.of(r.chance(0.7) ? MAX : MAX - 1);
      case 5 -> new Value.Recent(r.between(3, 1000));
      default -> Value.of(r.nextLong());
    };
  }
}

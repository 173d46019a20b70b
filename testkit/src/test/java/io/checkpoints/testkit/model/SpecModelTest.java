package io.checkpoints.testkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The model is the oracle, so it is checked against the examples of the specification text
 * directly. Every scenario also runs through the {@link ModelRunner}, so the domain must agree.
 */
class SpecModelTest {

  private static final long MAX = Long.MAX_VALUE;

  private final ModelRunner runner = new ModelRunner(InMemoryCheckpointStore::create);
  private SpecModel model;

  /** Runs the actions on a fresh model and returns their outcomes; checks the domain agrees. */
  private List<String> run(Action... actions) {
    model = new SpecModel();
    List<String> outcomes = new ArrayList<>();
    for (Action action : actions) {
      outcomes.add(model.apply(action, model.recentId()));
    }
    assertThat(runner.run(List.of(actions))).as("the domain agrees").isEmpty();
    return outcomes;
  }

  private static Action start() {
    return new Action.Start(CheckpointMode.REQUESTS, Optional.empty());
  }

  private static Action start(String user) {
    return new Action.Start(CheckpointMode.REQUESTS, Optional.of(user));
  }

  private static Action seed(long id) {
    return new Action.Seed(Value.of(id));
  }

  private static Action seed(String text) {
    return new Action.Seed(new Value.Text(text));
  }

  private static Action target(long value) {
    return new Action.Target(Value.of(value));
  }

  private static Action checkpoint(long writeCheckpoint) {
    return new Action.CheckpointLine("1", Value.of(writeCheckpoint));
  }

  private static final Action NEXT = new Action.Next();
  private static final Action COMPLETE = new Action.CheckpointCompleteLine("1");
  private static final Action COMPLETED_UPLOAD = new Action.CompletedUpload();
  private static final Action WRITE = new Action.Write(false);
  private static final Action UPLOAD_ALL = new Action.UploadDone(-1);

  @Test
  @DisplayName("3: seed stores the id verbatim: seeding 5 after 41 stores 5; next continues from it")
  void seedIsVerbatim() {
    assertThat(run(start(), seed(41), seed(5), NEXT)).containsExactly("request 1", "id 41", "id 5", "id 6");
    assertThat(model.observe().counter()).contains(6L);
  }

  @Test
  @DisplayName("3: the precondition comes before the argument; ids are 1..MAX")
  void seedPreconditionsAndArguments() {
    assertThat(run(seed("abc"), start(), seed("abc"), seed(0), seed(-1), NEXT)).containsExactly(
        "error: state NO_ACTIVE_ITERATION", "request 1", "error: argument", "error: argument",
        "error: argument", "error: state NOT_SEEDED");
  }

  @Test
  @DisplayName("3: text forms: optional sign, ASCII digits, leading zeros; nothing else")
  void textForms() {
    assertThat(run(start(), seed("+7"), seed("0042"), seed(" 5"), seed("1e3"), seed("5.0"),
        seed("9223372036854775807"), seed("9223372036854775808"), seed("-0"), seed("\u0663"), seed("")))
        .containsExactly("request 1", "id 7", "id 42", "error: argument", "error: argument",
            "error: argument", "id " + MAX, "error: argument", "error: argument", "error: argument",
            "error: argument");
  }

  @Test
  @DisplayName("3 and 12.3: next at MAX is an overflow error and changes nothing")
  void overflow() {
    assertThat(run(start(), seed(MAX - 1), NEXT, NEXT)).containsExactly(
        "request 1", "id " + (MAX - 1), "id " + MAX, "error: state OVERFLOW");
    assertThat(model.observe().counter()).contains(MAX);
  }

  @Test
  @DisplayName("3: target reads, deletes with 0, stores 1..MAX, refuses negatives, returns the old value")
  void target() {
    assertThat(run(new Action.Target(Value.ABSENT), target(7), target(MAX), target(-1), target(0),
        new Action.Target(new Value.Text("-0")), target(3)))
        .containsExactly("previous absent", "previous absent", "previous 7", "error: argument",
            "previous " + MAX, "previous absent", "previous absent");
    assertThat(model.observe().target()).contains(3L);
  }

  @Test
  @DisplayName("4: initial = max(counter, concrete target, per-user, 1); MAX targets are ignored")
  void initialRequest() {
    assertThat(run(start(), target(10), start(), WRITE, start(), seed(3), start(),
        start("alice"), seed(20), new Action.Clear(0), start("alice"), start("bob")))
        .containsExactly("request 1", "previous absent", "request 10", "queued", "request 1",
            "id 3", "request 3", "request 3", "id 20", "ok", "request 20", "request 1");
  }

  @Test
  @DisplayName("5: a local write arms the gate; an insert-only write does not, but holds publishing")
  void localWrites() {
    assertThat(run(start(), checkpoint(5), COMPLETE, new Action.Write(true), COMPLETE, UPLOAD_ALL,
        COMPLETE, WRITE, COMPLETE)).containsExactly("request 1", "[]", "[applied(5)]", "queued",
        "[held]", "ok", "[applied(5)]", "queued", "[held]");
    assertThat(model.observe().target()).contains(MAX);
    assertThat(model.observe().lastSeen()).contains(5L); // written even though the apply was blocked
    assertThat(model.observe().lastApplied()).isEmpty();
  }

  @Test
  @DisplayName("6: the gate opens when target <= last seen and the queue is empty")
  void gate() {
    assertThat(run(start(), seed(1), WRITE, UPLOAD_ALL, new Action.AllocateForUpload(),
        new Action.TargetAcceptedRequest(3, false), checkpoint(4), COMPLETE, checkpoint(5), COMPLETE,
        new Action.PartialCompleteLine("1", 0), new Action.PartialCompleteLine("1", 1)))
        .containsExactly("request 1", "id 1", "queued", "ok", "id 2", "adopted", "[]", "[held]",
            "[]", "[applied(5)]", "[partial_applied(0)]", "[partial_applied(1)]");
    assertThat(model.observe().target()).as("not cleared when the gate opens").contains(5L);
  }

  @Test
  @DisplayName("6 and 12.1: a pending checkpoint older than the target stays pending")
  void pendingOlderThanTarget() {
    assertThat(run(start(), target(9), checkpoint(4), COMPLETE, new Action.PartialCompleteLine("1", 2),
        new Action.PartialCompleteLine("1", 0), COMPLETED_UPLOAD, target(4), COMPLETED_UPLOAD,
        COMPLETED_UPLOAD)).containsExactly("request 1", "previous absent", "[]", "[held]", "[]",
        "[partial_applied(0)]", "[]", "previous 9", "[applied(4)]", "[]");
  }

  @Test
  @DisplayName("6 and 12.1: a retry the gate blocks reports nothing and keeps the checkpoint pending")
  void blockedRetry() {
    run(start(), WRITE, checkpoint(MAX), COMPLETE, COMPLETED_UPLOAD, UPLOAD_ALL, COMPLETED_UPLOAD);
    assertThat(run(start(), WRITE, checkpoint(MAX), COMPLETE, COMPLETED_UPLOAD, UPLOAD_ALL,
        COMPLETED_UPLOAD)).containsExactly("request 1", "queued", "[]", "[held]", "[]", "ok",
        "[applied(" + MAX + ")]");
  }

  @Test
  @DisplayName("12.2: an applied checkpoint is not applied again by completed_upload; repeated lines are")
  void appliedOnce() {
    assertThat(run(start(), WRITE, checkpoint(2), COMPLETE, UPLOAD_ALL, target(0), COMPLETE,
        COMPLETED_UPLOAD, COMPLETE)).containsExactly("request 1", "queued", "[]", "[held]", "ok",
        "previous " + MAX, "[applied(2)]", "[]", "[applied(2)]");
  }

  @Test
  @DisplayName("6: a missing write checkpoint leaves last seen; a diff replaces the write checkpoint")
  void missingWriteCheckpoint() {
    assertThat(run(start(), checkpoint(-3), COMPLETE, new Action.CheckpointLine("2", Value.ABSENT),
        COMPLETE, new Action.CheckpointDiffLine("3", Value.of(0)), COMPLETE))
        .containsExactly("request 1", "[]", "[applied(-3)]", "[]", "[applied(none)]", "[]",
            "[applied(0)]");
    assertThat(model.observe().lastSeen()).contains(0L);
  }

  @Test
  @DisplayName("9: a hard clear keeps the iteration and its pending checkpoint; a soft one is refused")
  void clearDuringIteration() {
    assertThat(run(start("alice"), seed(8), WRITE, checkpoint(9), COMPLETE, new Action.Clear(2),
        new Action.Clear(0), NEXT, COMPLETED_UPLOAD, seed(1), NEXT)).containsExactly("request 1",
        "id 8", "queued", "[]", "[held]", "error: state CLEAR_REFUSED", "ok", "error: state NOT_SEEDED",
        "[applied(9)]", "id 1", "id 9");
    assertThat(model.observe().userSequences()).containsEntry("alice", 9L);
  }

  @Test
  @DisplayName("11: line order errors end the iteration; token_expires_in <= 0 closes the stream")
  void lineErrors() {
    assertThat(run(start(), COMPLETE, NEXT, start(), new Action.PartialCompleteLine("1", 0),
        start(), new Action.CheckpointDiffLine("1", Value.of(1)), start(),
        new Action.TokenExpiresLine(60), new Action.TokenExpiresLine(0), new Action.Stop(),
        COMPLETED_UPLOAD)).containsExactly("request 1", "error: protocol",
        "error: state NO_ACTIVE_ITERATION", "request 1", "error: state LINE_OUT_OF_ORDER",
        "request 1", "error: protocol", "request 1", "[]", "[closed]", "ok",
        "error: state NO_ACTIVE_ITERATION");
  }

  @Test
  @DisplayName("7 and 11: status: connecting after start, connected after a line, applied id per connection")
  void status() {
    run(start(), checkpoint(4), COMPLETE);
    Observation connected = model.observe();
    assertThat(connected.connected()).isTrue();
    assertThat(connected.connecting()).isFalse();
    assertThat(connected.statusApplied()).contains(4L);
    run(start(), checkpoint(4), COMPLETE, start());
    Observation restarted = model.observe();
    assertThat(restarted.connecting()).isTrue();
    assertThat(restarted.statusApplied()).isEmpty();
  }

  @Test
  @DisplayName("ports: a failing publisher rolls the checkpoint's transaction back and fails the line")
  void publisherFailure() {
    assertThat(run(start(), checkpoint(4), new Action.FailNextPublication(), COMPLETE, start(),
        checkpoint(4), COMPLETE)).containsExactly("request 1", "[]", "ok", "error: publisher failed",
        "request 1", "[]", "[applied(4)]");
    run(start(), checkpoint(4), new Action.FailNextPublication(), COMPLETE);
    assertThat(model.observe().lastSeen()).as("rolled back").isEmpty();
    assertThat(model.observe().iterationActive()).isFalse();
  }
  private static Action await(long id) {
    return new Action.AwaitApplied(Value.of(id));
  }

  @Test
  @DisplayName("7, epochs: a start as another user, also none -> known and back, fails the waiters left with UserSwitched")
  void userSwitchEndsTheWaitersOfTheEpoch() {
    run(start("alice"), seed(1), new Action.Stop(), await(2), start("bob"), seed(1), checkpoint(9), COMPLETE);
    assertThat(model.observe().waiters()).containsExactly("#1 id=2 failed(UserSwitched)");
    run(start(), new Action.Stop(), await(2), start("alice"));
    assertThat(model.observe().waiters()).containsExactly("#1 id=2 failed(UserSwitched)");
    run(start("alice"), new Action.Stop(), await(2), start(), checkpoint(9), COMPLETE);
    assertThat(model.observe().waiters()).containsExactly("#1 id=2 failed(UserSwitched)");
    run(start("alice"), new Action.Stop(), await(2), start("alice"), checkpoint(9), COMPLETE);
    assertThat(model.observe().waiters()).as("the same user: the same epoch").containsExactly("#1 id=2 done(9)");
  }

  @Test
  @DisplayName("7, epochs: a clear fails the waiters with Cleared and clears the status's applied id")
  void clearEndsTheEpochAndTheAppliedId() {
    run(start(), checkpoint(4), COMPLETE, new Action.Clear(0), await(3));
    assertThat(model.observe().statusApplied()).isEmpty();
    assertThat(model.observe().waiters()).as("4 applied before the clear is no evidence")
        .containsExactly("#1 id=3 pending");
    run(start(), await(5), new Action.Clear(0), checkpoint(9), COMPLETE);
    assertThat(model.observe().waiters()).containsExactly("#1 id=5 failed(Cleared)");
  }
}

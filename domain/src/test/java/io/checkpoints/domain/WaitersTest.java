package io.checkpoints.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The registry on its own: one entry per id, several watches on one id (kept as an array), and
 * the size that {@code waiterCount()} reports, which must reach zero once every watch is gone.
 */
class WaitersTest {

  private final Waiters waiters = new Waiters();
  private final List<String> events = new ArrayList<>();

  /** A watch that records what happens to it. */
  private final class Recording extends Waiters.Watch {
    private final String name;
    private final boolean handle;

    Recording(String name, long id, Epoch epoch, boolean handle) {
      super(id, epoch);
      this.name = name;
      this.handle = handle;
    }

    @Override
    boolean survivesDisconnect() {
      return handle;
    }

    @Override
    void markSynced(WriteCheckpoint writeCheckpoint) {
      events.add("mark " + name);
    }

    @Override
    void announceSynced(WriteCheckpoint writeCheckpoint) {
      events.add("synced " + name + " at " + writeCheckpoint.value());
    }

    @Override
    void interrupted(CheckpointWaitException failure, boolean removed) {
      events.add((removed ? "failed " : "interrupted ") + name);
    }
  }

  private Recording watch(String name, long id) {
    return new Recording(name, id, Epoch.FIRST, true);
  }

  @Test
  void watchesOfOneIdAreCountedOnceEachAndRemovedOneByOne() {
    Recording a = watch("a", 5);
    Recording b = watch("b", 5);
    Recording c = watch("c", 5);
    Recording d = watch("d", 7);
    List.of(a, b, c, d, b, d).forEach(waiters::add);
    assertThat(waiters.size()).as("adding a watch twice counts it once").isEqualTo(4);

    waiters.remove(b);
    waiters.remove(b);
    assertThat(waiters.size()).isEqualTo(3);
    waiters.remove(watch("not registered", 5));
    assertThat(waiters.size()).isEqualTo(3);

    waiters.applied(Epoch.FIRST, WriteCheckpoint.of(6)).announce().run();
    assertThat(events).containsExactly("mark a", "mark c", "synced a at 6", "synced c at 6");
    assertThat(waiters.size()).isEqualTo(1);
    waiters.remove(a);
    assertThat(waiters.size()).as("a synced watch is no longer there to remove").isEqualTo(1);
    waiters.remove(d);
    assertThat(waiters.size()).isZero();
  }

  @Test
  void anApplyTakesOnlyWatchesOfItsEpochAtOrBelowItsWriteCheckpoint() {
    Epoch cleared = Epoch.FIRST.afterClear();
    Recording mine = watch("mine", 3);
    Recording otherEpoch = new Recording("other epoch", 3, cleared, true);
    Recording above = watch("above", 9);
    List.of(mine, otherEpoch, above).forEach(waiters::add);

    Waiters.Change change = waiters.applied(Epoch.FIRST, WriteCheckpoint.of(5));
    assertThat(change.removed()).containsExactly(mine);
    assertThat(waiters.size()).isEqualTo(2);

    waiters.epochEnded(cleared, new CheckpointWaitException.Cleared("cleared")).announce().run();
    assertThat(events).containsExactly("failed above");
    assertThat(waiters.size()).as("only the watch of the current epoch is left").isEqualTo(1);
    waiters.applied(cleared, WriteCheckpoint.of(3)).announce().run();
    assertThat(events).containsExactly("failed above", "mark other epoch", "synced other epoch at 3");
    assertThat(waiters.size()).isZero();
  }

  @Test
  void aRolledBackChangePutsEveryWatchBack() {
    Recording a = watch("a", 4);
    Recording b = watch("b", 4);
    Recording c = watch("c", 8);
    List.of(a, b, c).forEach(waiters::add);
    Waiters.Change change = waiters.applied(Epoch.FIRST, WriteCheckpoint.of(10));
    assertThat(waiters.size()).isZero();

    change.removed().forEach(waiters::add);
    assertThat(waiters.size()).isEqualTo(3);
    waiters.applied(Epoch.FIRST, WriteCheckpoint.of(10)).announce().run();
    assertThat(events).containsExactlyInAnyOrder("mark a", "mark b", "mark c",
        "synced a at 10", "synced b at 10", "synced c at 10");
    assertThat(waiters.size()).isZero();
  }

  @Test
  void aDisconnectRemovesStatusWaitersAndKeepsHandlesEvenOnTheSameId() {
    Recording handle = watch("handle", 4);
    Recording status = new Recording("status", 4, Epoch.FIRST, false);
    Recording otherStatus = new Recording("other status", 4, Epoch.FIRST, false);
    List.of(status, handle, otherStatus).forEach(waiters::add);

    Waiters.Change change = waiters.disconnected(new CheckpointWaitException.Disconnected("gone"));
    change.announce().run();
    assertThat(change.removed()).containsExactly(status, otherStatus);
    assertThat(events).containsExactly("failed status", "failed other status", "interrupted handle");
    assertThat(waiters.size()).isEqualTo(1);

    waiters.failHandles(new CheckpointWaitException.NotSupported("404", null)).announce().run();
    assertThat(waiters.size()).isZero();
  }
}

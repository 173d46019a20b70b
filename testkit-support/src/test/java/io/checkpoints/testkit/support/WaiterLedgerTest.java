package io.checkpoints.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.testkit.support.WaiterLedger.Epoch;
import io.checkpoints.testkit.support.WaiterLedger.Kind;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The waiter-soundness check reports deliberately wrong observations (issue 13's three cases among
 * them) and accepts the right ones, so that its silence in the model runs and the simulation
 * means something.
 */
class WaiterLedgerTest {

  private static final Epoch ALICE = Epoch.FIRST.forUser(Optional.of("alice"));
  private static final Epoch BOB = Epoch.FIRST.forUser(Optional.of("bob"));

  private final WaiterLedger ledger = new WaiterLedger();

  @Test
  @DisplayName("a handle completed by another user's checkpoint is reported (issue 13, case 3)")
  void anotherUsersCheckpointIsNoEvidence() {
    ledger.enter(ALICE);
    int handle = ledger.opened(Kind.HANDLE, "alice's handle", 2, ALICE, 1);
    ledger.enter(BOB);
    ledger.applied(Optional.of(50L), BOB, 2);
    ledger.completed(handle, 50);

    assertThat(ledger.violations()).singleElement().asString()
        .contains("alice's handle").contains("no checkpoint with that write checkpoint was applied in its epoch");
  }

  @Test
  @DisplayName("a handle completed by a checkpoint applied before the clear it was made after is reported (case 1)")
  void aCheckpointFromBeforeAClearIsNoEvidence() {
    ledger.enter(ALICE);
    ledger.applied(Optional.of(100L), ALICE, 1);
    Epoch afterClear = ALICE.afterClear();
    ledger.enter(afterClear);
    int handle = ledger.opened(Kind.HANDLE, "handle after the clear", 2, afterClear, 1);
    ledger.completed(handle, 100);

    assertThat(ledger.violations()).singleElement().asString().contains("handle after the clear");
  }

  @Test
  @DisplayName("a handle completed by an apply from before its request was accepted is reported")
  void aHandleNeedsAnApplyAfterItsAcceptance() {
    ledger.enter(ALICE);
    ledger.applied(Optional.of(9L), ALICE, 1);
    int handle = ledger.opened(Kind.HANDLE, "late handle", 5, ALICE, 1);
    ledger.completed(handle, 9);

    assertThat(ledger.violations()).singleElement().asString().contains("late handle");
  }

  @Test
  @DisplayName("a status waiter may complete at once by its connection's last apply, not by an older connection's")
  void aStatusWaiterCountsItsConnectionsApply() {
    ledger.enter(ALICE);
    ledger.applied(Optional.of(9L), ALICE, 1);
    int sameConnection = ledger.opened(Kind.STATUS_WAITER, "waiter of connection 1", 5, ALICE, 1);
    ledger.completed(sameConnection, 9);
    int nextConnection = ledger.opened(Kind.STATUS_WAITER, "waiter of connection 2", 5, ALICE, 2);
    ledger.completed(nextConnection, 9);

    assertThat(ledger.violations()).singleElement().asString().contains("waiter of connection 2");
  }

  @Test
  @DisplayName("completing below the id, or with another value than the checkpoint applied, is reported")
  void theValueMustBeAnAppliedOneAtOrAboveTheId() {
    ledger.enter(ALICE);
    int below = ledger.opened(Kind.HANDLE, "handle 7", 7, ALICE, 1);
    int otherValue = ledger.opened(Kind.HANDLE, "handle 3", 3, ALICE, 1);
    ledger.applied(Optional.of(6L), ALICE, 1);
    ledger.completed(below, 6);
    ledger.completed(otherValue, 8);

    assertThat(ledger.violations()).hasSize(2)
        .anySatisfy(v -> assertThat(v).contains("handle 7").contains("below its id"))
        .anySatisfy(v -> assertThat(v).contains("handle 3").contains("no checkpoint with that write checkpoint"));
  }

  @Test
  @DisplayName("a synced handle reports the same checkpoint each time, and none after it failed for good")
  void syncedStaysSyncedAndEndedStaysEnded() {
    ledger.enter(ALICE);
    int synced = ledger.opened(Kind.HANDLE, "synced handle", 2, ALICE, 1);
    int ended = ledger.opened(Kind.HANDLE, "cleared handle", 2, ALICE, 1);
    ledger.applied(Optional.of(3L), ALICE, 1);
    ledger.completed(synced, 3);
    ledger.applied(Optional.of(4L), ALICE, 1);
    ledger.completed(synced, 4);
    ledger.enter(ALICE.afterClear());
    ledger.failed(ended, "Cleared");
    ledger.completed(ended, 4);

    assertThat(ledger.violations()).hasSize(2)
        .anySatisfy(v -> assertThat(v).contains("synced handle").contains("after it was synced by 3"))
        .anySatisfy(v -> assertThat(v).contains("cleared handle").contains("after it had failed for good"));
  }

  @Test
  @DisplayName("a waiter still pending after a covering checkpoint applied in its epoch is reported")
  void pendingAfterAnAcknowledgingApplyIsReported() {
    ledger.enter(ALICE);
    int handle = ledger.opened(Kind.HANDLE, "forgotten handle", 4, ALICE, 1);
    ledger.failed(handle, "Disconnected"); // a handle survives the disconnect
    ledger.applied(Optional.of(5L), ALICE, 2);
    ledger.checkPending();
    ledger.checkPending();

    assertThat(ledger.violations()).singleElement().asString()
        .contains("forgotten handle").contains("still pending").contains("5");
  }

  @Test
  @DisplayName("a status waiter opened while the status shows a covering apply must complete at once")
  void aStatusWaiterShownACoveringApplyMustComplete() {
    ledger.enter(ALICE);
    ledger.applied(Optional.of(8L), ALICE, 1);
    ledger.opened(Kind.STATUS_WAITER, "waiter for 8", 8, ALICE, 1);
    ledger.checkPending();

    assertThat(ledger.violations()).singleElement().asString().contains("shown by the status");
  }

  @Test
  @DisplayName("Cleared and UserSwitched only after a clear or a user switch since the waiter was made")
  void typedEndingsNeedTheirCause() {
    ledger.enter(ALICE);
    int cleared = ledger.opened(Kind.HANDLE, "handle said cleared", 2, ALICE, 1);
    int switched = ledger.opened(Kind.HANDLE, "handle said switched", 2, ALICE, 1);
    ledger.failed(cleared, "Cleared");
    ledger.failed(switched, "UserSwitched");
    int backAndForth = ledger.opened(Kind.HANDLE, "handle across none and back", 2, ALICE, 1);
    ledger.enter(ALICE.forUser(Optional.empty()));
    ledger.enter(ALICE);
    ledger.failed(backAndForth, "UserSwitched");

    assertThat(ledger.violations()).hasSize(2)
        .anySatisfy(v -> assertThat(v).contains("handle said cleared").contains("no clear ran"))
        .anySatisfy(v -> assertThat(v).contains("handle said switched").contains("UserSwitched"));
  }

  @Test
  @DisplayName("the right observations pass: own epoch, after opening, at or above the id")
  void soundObservationsPass() {
    ledger.enter(ALICE);
    int handle = ledger.opened(Kind.HANDLE, "handle", 4, ALICE, 1);
    int waiter = ledger.opened(Kind.STATUS_WAITER, "waiter", 4, ALICE, 1);
    ledger.failed(handle, "Disconnected");
    ledger.failed(waiter, "Disconnected");
    ledger.applied(Optional.of(4L), ALICE, 2); // after reconnecting as the same user
    ledger.completed(handle, 4);
    ledger.completed(handle, 4);
    int stale = ledger.opened(Kind.HANDLE, "stale handle", 9, ALICE, 2);
    ledger.enter(ALICE.afterClear());
    ledger.failed(stale, "Cleared");
    ledger.applied(Optional.of(9L), ALICE.afterClear(), 2);
    ledger.checkPending();

    assertThat(ledger.violations()).isEmpty();
    assertThat(ledger.size()).isEqualTo(3);
    assertThat(ledger.applyCount()).isEqualTo(2);
  }
}

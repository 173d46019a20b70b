package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.ClearFlags;
import io.checkpoints.testkit.model.BrokenStore;
import io.checkpoints.testkit.model.BrokenStore.Defect;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Proves that the storage contract can fail: each deliberately broken store fails the contract
 * test that covers its defect, and passes the others it does not break.
 */
class CheckpointStoreContractCanFailTest {

  private static void assertFails(Defect defect, ThrowingConsumer<CheckpointStoreContract> test) {
    ContractProbe.assertCatches(defect, () -> new BrokenStore(defect), test);
  }

  private static void assertPasses(Defect defect, ThrowingConsumer<CheckpointStoreContract> test) {
    ContractProbe.assertPasses(() -> new BrokenStore(defect), test);
  }

  @Test
  @DisplayName("clear that keeps last seen fails the clear test")
  void clearKeepingLastSeen() {
    assertFails(Defect.CLEAR_KEEPS_LAST_SEEN,
        c -> c.clearDeletesKeysAndQueueButKeepsClientIdAndUserSequences(0));
    assertPasses(Defect.CLEAR_KEEPS_LAST_SEEN, CheckpointStoreContract::lastSeenAndAppliedOverwriteAndDelete);
  }

  @Test
  @DisplayName("clear that deletes the user sequences fails the clear test")
  void clearDeletingUserSequences() {
    assertFails(Defect.CLEAR_DELETES_USER_SEQUENCES,
        c -> c.clearDeletesKeysAndQueueButKeepsClientIdAndUserSequences(ClearFlags.SOFT_BIT));
    assertPasses(Defect.CLEAR_DELETES_USER_SEQUENCES, CheckpointStoreContract::userSequenceReset);
  }

  @Test
  @DisplayName("a raise that lowers fails the user sequence test")
  void raiseLowering() {
    assertFails(Defect.RAISE_LOWERS, CheckpointStoreContract::userSequenceRaisesAndNeverLowers);
    assertPasses(Defect.RAISE_LOWERS, CheckpointStoreContract::userSequencesAreIndependent);
  }

  @Test
  @DisplayName("removeThrough off by one fails the queue test")
  void removeThroughOffByOne() {
    assertFails(Defect.REMOVE_THROUGH_OFF_BY_ONE, CheckpointStoreContract::removeThroughRemovesUpToAndIncluding);
    assertPasses(Defect.REMOVE_THROUGH_OFF_BY_ONE, c -> c.removeThroughFutureSequence(Long.MAX_VALUE));
  }

  @Test
  @DisplayName("a negative last seen stored as 0 fails the round trip")
  void negativeLastSeen() {
    assertFails(Defect.NEGATIVE_LAST_SEEN_STORED_AS_ZERO, c -> c.writeCheckpointKeysRoundTrip(StateContract.Key.LAST_SEEN, -3));
    assertFails(Defect.NEGATIVE_LAST_SEEN_STORED_AS_ZERO, c -> c.writeCheckpointKeysRoundTrip(StateContract.Key.LAST_SEEN, Long.MIN_VALUE));
    assertPasses(Defect.NEGATIVE_LAST_SEEN_STORED_AS_ZERO, c -> c.writeCheckpointKeysRoundTrip(StateContract.Key.LAST_SEEN, 0));
  }

  @Test
  @DisplayName("user sequences outside the transaction fail the rollback test")
  void userSequencesOutsideTheTransaction() {
    assertFails(Defect.USER_SEQUENCES_OUTSIDE_THE_TRANSACTION, c -> c.exceptionRollsBackAndIsRethrownUnchanged(
        CheckpointStoreContract.Change.RAISE_USER_SEQUENCE, CheckpointStoreContract.Failure.RUNTIME_EXCEPTION));
    assertFails(Defect.USER_SEQUENCES_OUTSIDE_THE_TRANSACTION, CheckpointStoreContract::outerFailureRollsBackInnerChanges);
    assertPasses(Defect.USER_SEQUENCES_OUTSIDE_THE_TRANSACTION, c -> c.exceptionRollsBackAndIsRethrownUnchanged(
        CheckpointStoreContract.Change.SET_TARGET, CheckpointStoreContract.Failure.RUNTIME_EXCEPTION));
  }

  @Test
  @DisplayName("a difference must say why, and must differ")
  void differencesNeedAReason() {
    assertThatThrownBy(() -> CheckpointStoreContract.Differences.none().differ(
        CheckpointStoreContract.Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE, false, " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("say why");
    assertThatThrownBy(() -> CheckpointStoreContract.Differences.none().differ(
        CheckpointStoreContract.Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE, true, "no difference"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contract's own value");
  }
}

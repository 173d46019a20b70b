package io.checkpoints.testkit.contract;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointStore;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointTransaction;
import io.checkpoints.testkit.forwarding.ForwardingUploadQueue;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Proves that the contract's tests of the queue reads, the arming report, completion callbacks
 * and closing can fail: each store below breaks one rule (on top of the in-memory store) and fails
 * the test that covers it, and passes one it does not break.
 */
class CheckpointStoreContractNewRulesCanFailTest {

  /** The rule each broken store breaks. */
  enum Defect {
    /** enqueueArmingGate arms the gate but reports that it did not. */
    ARMS_BUT_REPORTS_FALSE,
    /** firstWrites ignores its limit. */
    FIRST_WRITES_IGNORES_THE_LIMIT,
    /** firstWrites accepts a limit of 0. */
    FIRST_WRITES_ACCEPTS_ZERO,
    /** Callbacks run at once, inside the transaction. */
    CALLBACKS_RUN_AT_ONCE,
    /** close() does nothing. */
    CLOSE_DOES_NOTHING,
    /** The data reads back with a space after every colon: reformatted, beyond what the rule allows. */
    DATA_REFORMATTED,
    /** The data reads back with the escape of é written as é, as H2 does: allowed, not a defect. */
    NON_ASCII_ESCAPE_WRITTEN_AS_THE_CHARACTER
  }

  private static void assertFails(Defect defect, ThrowingConsumer<CheckpointStoreContract> test) {
    ContractProbe.assertCatches(defect, () -> new Broken(defect), test);
  }

  private static void assertPasses(Defect defect, ThrowingConsumer<CheckpointStoreContract> test) {
    ContractProbe.assertPasses(() -> new Broken(defect), test);
  }

  @Test
  @DisplayName("arming without saying so fails the arming report test")
  void armsButReportsFalse() {
    assertFails(Defect.ARMS_BUT_REPORTS_FALSE, c -> c.enqueueArmingGateReportsWhatItDid("items"));
    assertPasses(Defect.ARMS_BUT_REPORTS_FALSE, CheckpointStoreContract::enqueueDoesNotArm);
  }

  @Test
  @DisplayName("a batch read that ignores its limit fails the order test")
  void firstWritesIgnoringTheLimit() {
    assertFails(Defect.FIRST_WRITES_IGNORES_THE_LIMIT, CheckpointStoreContract::firstWritesReadsInOrder);
    assertPasses(Defect.FIRST_WRITES_IGNORES_THE_LIMIT, CheckpointStoreContract::firstTransactionReadsTheOldestTransaction);
  }

  @Test
  @DisplayName("a batch read that accepts 0 fails the limit test")
  void firstWritesAcceptingZero() {
    assertFails(Defect.FIRST_WRITES_ACCEPTS_ZERO, c -> c.firstWritesRefusesLimitsBelowOne(0));
    assertPasses(Defect.FIRST_WRITES_ACCEPTS_ZERO, c -> c.firstWritesRefusesLimitsBelowOne(-1));
  }

  @Test
  @DisplayName("callbacks that run inside the transaction fail the callback tests")
  void callbacksAtOnce() {
    assertFails(Defect.CALLBACKS_RUN_AT_ONCE, CheckpointStoreContract::callbacksRunAfterCommit);
    assertFails(Defect.CALLBACKS_RUN_AT_ONCE, CheckpointStoreContract::callbacksOfARollbackAreToldFalse);
    assertFails(Defect.CALLBACKS_RUN_AT_ONCE, CheckpointStoreContract::nestedCallbacksRunAtTheOuterEnd);
    assertPasses(Defect.CALLBACKS_RUN_AT_ONCE, CheckpointStoreContract::removeThroughTheBatchKeepsLaterWrites);
  }

  @Test
  @DisplayName("a close that does nothing fails the closed-store test")
  void closeDoingNothing() {
    assertFails(Defect.CLOSE_DOES_NOTHING, CheckpointStoreContract::closedStoreRefusesTransactions);
    assertPasses(Defect.CLOSE_DOES_NOTHING, CheckpointStoreContract::callbacksRunAfterCommit);
  }

  @Test
  @DisplayName("data read back in another form fails the JSON test; the one rewrite the rule allows passes")
  void dataReadBackInAnotherForm() {
    String nested = "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"x\"}";
    assertFails(Defect.DATA_REFORMATTED, c -> c.jsonObjectsAreQueued(nested));
    assertPasses(Defect.DATA_REFORMATTED, c -> c.jsonObjectsAreQueued("{}"));
    assertPasses(Defect.NON_ASCII_ESCAPE_WRITTEN_AS_THE_CHARACTER,
        c -> c.jsonObjectsAreQueued("{\"e\":\"\\u00e9\\\"q\"}"));
  }

  /** The in-memory store with one defect. Thread-safe as the store it wraps. */
  private static final class Broken extends ForwardingCheckpointStore {
    private final Defect defect;

    Broken(Defect defect) {
      super(InMemoryCheckpointStore.create());
      this.defect = defect;
    }

    @Override
    public void close() {
      if (defect != Defect.CLOSE_DOES_NOTHING) {
        super.close();
      }
    }

    @Override
    protected CheckpointTransaction wrap(CheckpointTransaction transaction) {
      return new ForwardingCheckpointTransaction(transaction) {
        @Override
        public UploadQueue uploadQueue() {
          return new ForwardingUploadQueue(super.uploadQueue()) {
            @Override
            public List<QueuedWrite> firstWrites(int limit) {
              if (defect == Defect.FIRST_WRITES_IGNORES_THE_LIMIT) {
                return super.firstWrites(Integer.MAX_VALUE);
              }
              if (defect == Defect.FIRST_WRITES_ACCEPTS_ZERO && limit == 0) {
                return List.of();
              }
              return super.firstWrites(limit).stream().map(this::rewritten).toList();
            }

            private QueuedWrite rewritten(QueuedWrite write) {
              String data = write.dataJson();
              if (defect == Defect.DATA_REFORMATTED) {
                data = data.replace(":", ": ");
              } else if (defect == Defect.NON_ASCII_ESCAPE_WRITTEN_AS_THE_CHARACTER) {
                data = data.replace("\\u00e9", "\u00e9");
              }
              return new QueuedWrite(write.sequence(), write.transactionId(), write.operation(),
                  write.table(), write.rowId(), data);
            }
          };
        }

        @Override
        public Enqueued enqueueArmingGate(LocalWrite write) {
          Enqueued enqueued = super.enqueueArmingGate(write);
          if (defect == Defect.ARMS_BUT_REPORTS_FALSE) {
            state().setTarget(CheckpointRequestId.MAX);
            state().deleteLastSeen();
            state().deleteLastApplied();
          }
          return enqueued;
        }

        @Override
        public void afterCompletion(CompletionCallback callback) {
          if (defect == Defect.CALLBACKS_RUN_AT_ONCE) {
            callback.completed(true);
          } else {
            super.afterCompletion(callback);
          }
        }
      };
    }
  }
}

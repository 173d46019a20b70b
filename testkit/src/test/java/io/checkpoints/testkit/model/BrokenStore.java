package io.checkpoints.testkit.model;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.UserSequences;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointState;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointStore;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointTransaction;
import io.checkpoints.testkit.forwarding.ForwardingUploadQueue;
import io.checkpoints.testkit.forwarding.ForwardingUserSequences;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A test double: an {@link InMemoryCheckpointStore} with one deliberate defect, to prove that the
 * contract and the model-based runner catch a broken store. Thread-safe as the store it wraps
 * (the defects keep no state of their own outside a transaction).
 */
public final class BrokenStore extends ForwardingCheckpointStore {

  /** The deliberate defects. */
  public enum Defect {
    /** {@code clear} forgets to delete {@code last_seen}. */
    CLEAR_KEEPS_LAST_SEEN,
    /** {@code raise} stores the id even when it is lower: per-user sequences go backwards. */
    RAISE_LOWERS,
    /** {@code removeThrough(s)} removes only the writes before {@code s}. */
    REMOVE_THROUGH_OFF_BY_ONE,
    /** {@code clear} also deletes the per-user sequences. */
    CLEAR_DELETES_USER_SEQUENCES,
    /** {@code setLastSeen} of a negative value stores 0. */
    NEGATIVE_LAST_SEEN_STORED_AS_ZERO,
    /**
     * The per-user sequences live outside the transaction (as if on another connection): a raise
     * survives the rollback of its transaction. The domain never raises in a transaction that then
     * fails, so only the storage contract can see this one.
     */
    USER_SEQUENCES_OUTSIDE_THE_TRANSACTION
  }

  private final Defect defect;

  /** The raises of the open transaction, for {@link Defect#USER_SEQUENCES_OUTSIDE_THE_TRANSACTION}. */
  private final ThreadLocal<List<Runnable>> raises = new ThreadLocal<>();

  /** @param defect the defect this store has */
  public BrokenStore(Defect defect) {
    super(InMemoryCheckpointStore.create());
    this.defect = defect;
  }

  @Override
  public <T> T inTransaction(TransactionWork<T> work) {
    if (defect != Defect.USER_SEQUENCES_OUTSIDE_THE_TRANSACTION || raises.get() != null) {
      return super.inTransaction(work);
    }
    raises.set(new ArrayList<>());
    try {
      return super.inTransaction(work);
    } catch (RuntimeException | Error e) {
      List<Runnable> leaked = raises.get();
      raises.remove();
      delegate().inTransaction(tx -> {
        leaked.forEach(Runnable::run);
        return null;
      });
      throw e;
    } finally {
      raises.remove();
    }
  }

  @Override
  protected CheckpointTransaction wrap(CheckpointTransaction transaction) {
    return new BrokenTransaction(transaction);
  }

  private final class BrokenTransaction extends ForwardingCheckpointTransaction {

    BrokenTransaction(CheckpointTransaction tx) {
      super(tx);
    }

    @Override
    public CheckpointState state() {
      return new ForwardingCheckpointState(delegate().state()) {
        @Override
        public void setLastSeen(WriteCheckpoint seen) {
          super.setLastSeen(defect == Defect.NEGATIVE_LAST_SEEN_STORED_AS_ZERO && seen.value() < 0
              ? WriteCheckpoint.of(0) : seen);
        }
      };
    }

    @Override
    public UploadQueue uploadQueue() {
      return new ForwardingUploadQueue(delegate().uploadQueue()) {
        @Override
        public void removeThrough(long sequence) {
          super.removeThrough(defect == Defect.REMOVE_THROUGH_OFF_BY_ONE && sequence != Long.MAX_VALUE
              ? sequence - 1 : sequence);
        }
      };
    }

    @Override
    public UserSequences userSequences() {
      return new ForwardingUserSequences(delegate().userSequences()) {
        @Override
        public void raise(UserKey user, CheckpointRequestId id) {
          if (defect == Defect.RAISE_LOWERS) {
            reset(user);
          }
          super.raise(user, id);
          if (defect == Defect.USER_SEQUENCES_OUTSIDE_THE_TRANSACTION) {
            raises.get().add(() -> BrokenStore.this.delegate().inTransaction(tx -> {
              tx.userSequences().raise(user, id);
              return null;
            }));
          }
        }
      };
    }

    @Override
    public void clear(ClearFlags flags) {
      Optional<WriteCheckpoint> seen = delegate().state().lastSeen();
      super.clear(flags);
      if (defect == Defect.CLEAR_KEEPS_LAST_SEEN) {
        seen.ifPresent(delegate().state()::setLastSeen);
      }
      if (defect == Defect.CLEAR_DELETES_USER_SEQUENCES) {
        for (String user : ModelRunner.USERS) {
          delegate().userSequences().reset(UserKey.forUserId(user));
        }
      }
    }
  }
}

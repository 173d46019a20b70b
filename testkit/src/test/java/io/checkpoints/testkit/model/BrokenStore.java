package io.checkpoints.testkit.model;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.UserSequences;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A test double: an {@link InMemoryCheckpointStore} with one deliberate defect, to prove that the
 * contract and the model-based runner catch a broken store. Thread-safe as the store it wraps
 * (the defects keep no state of their own outside a transaction).
 */
public final class BrokenStore implements CheckpointStore {

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

  private final InMemoryCheckpointStore delegate = InMemoryCheckpointStore.create();
  private final Defect defect;

  /** @param defect the defect this store has */
  public BrokenStore(Defect defect) {
    this.defect = defect;
  }

  /** The raises of the open transaction, for {@link Defect#USER_SEQUENCES_OUTSIDE_THE_TRANSACTION}. */
  private final ThreadLocal<List<Runnable>> raises = new ThreadLocal<>();

  @Override
  public <T> T inTransaction(TransactionWork<T> work) {
    if (defect != Defect.USER_SEQUENCES_OUTSIDE_THE_TRANSACTION || raises.get() != null) {
      return delegate.inTransaction(tx -> work.run(new BrokenTransaction(tx)));
    }
    raises.set(new ArrayList<>());
    try {
      return delegate.inTransaction(tx -> work.run(new BrokenTransaction(tx)));
    } catch (RuntimeException | Error e) {
      List<Runnable> leaked = raises.get();
      raises.remove();
      delegate.inTransaction(tx -> {
        leaked.forEach(Runnable::run);
        return null;
      });
      throw e;
    } finally {
      raises.remove();
    }
  }

  @Override
  public void close() {
    delegate.close();
  }

  private final class BrokenTransaction implements CheckpointTransaction {
    private final CheckpointTransaction tx;

    BrokenTransaction(CheckpointTransaction tx) {
      this.tx = tx;
    }

    @Override
    public CheckpointState state() {
      CheckpointState state = tx.state();
      return new CheckpointState() {
        @Override
        public ClientId clientId() {
          return state.clientId();
        }

        @Override
        public Optional<CheckpointRequestId> target() {
          return state.target();
        }

        @Override
        public void setTarget(CheckpointRequestId target) {
          state.setTarget(target);
        }

        @Override
        public void deleteTarget() {
          state.deleteTarget();
        }

        @Override
        public Optional<CheckpointRequestId> lastRequested() {
          return state.lastRequested();
        }

        @Override
        public void setLastRequested(CheckpointRequestId counter) {
          state.setLastRequested(counter);
        }

        @Override
        public Optional<WriteCheckpoint> lastSeen() {
          return state.lastSeen();
        }

        @Override
        public void setLastSeen(WriteCheckpoint seen) {
          state.setLastSeen(defect == Defect.NEGATIVE_LAST_SEEN_STORED_AS_ZERO && seen.value() < 0
              ? WriteCheckpoint.of(0) : seen);
        }

        @Override
        public void deleteLastSeen() {
          state.deleteLastSeen();
        }

        @Override
        public Optional<WriteCheckpoint> lastApplied() {
          return state.lastApplied();
        }

        @Override
        public void setLastApplied(WriteCheckpoint applied) {
          state.setLastApplied(applied);
        }

        @Override
        public void deleteLastApplied() {
          state.deleteLastApplied();
        }
      };
    }

    @Override
    public UploadQueue uploadQueue() {
      UploadQueue queue = tx.uploadQueue();
      return new UploadQueue() {
        @Override
        public long enqueue(LocalWrite write) {
          return queue.enqueue(write);
        }

        @Override
        public boolean isEmpty() {
          return queue.isEmpty();
        }

        @Override
        public long size() {
          return queue.size();
        }

        @Override
        public long lastSequence() {
          return queue.lastSequence();
        }

        @Override
        public void removeThrough(long sequence) {
          queue.removeThrough(defect == Defect.REMOVE_THROUGH_OFF_BY_ONE && sequence != Long.MAX_VALUE
              ? sequence - 1 : sequence);
        }

        @Override
        public List<QueuedWrite> firstWrites(int limit) {
          return queue.firstWrites(limit);
        }

        @Override
        public List<QueuedWrite> firstTransaction() {
          return queue.firstTransaction();
        }
      };
    }

    @Override
    public UserSequences userSequences() {
      UserSequences sequences = tx.userSequences();
      return new UserSequences() {
        @Override
        public Optional<CheckpointRequestId> highest(UserKey user) {
          return sequences.highest(user);
        }

        @Override
        public void raise(UserKey user, CheckpointRequestId id) {
          if (defect == Defect.RAISE_LOWERS) {
            sequences.reset(user);
          }
          sequences.raise(user, id);
          if (defect == Defect.USER_SEQUENCES_OUTSIDE_THE_TRANSACTION) {
            raises.get().add(() -> delegate.inTransaction(tx -> {
              tx.userSequences().raise(user, id);
              return null;
            }));
          }
        }

        @Override
        public boolean reset(UserKey user) {
          return sequences.reset(user);
        }

        @Override
        public long count() {
          return sequences.count();
        }
      };
    }

    @Override
    public void afterCompletion(CompletionCallback callback) {
      tx.afterCompletion(callback);
    }

    @Override
    public void clear(ClearFlags flags) {
      Optional<WriteCheckpoint> seen = tx.state().lastSeen();
      tx.clear(flags);
      if (defect == Defect.CLEAR_KEEPS_LAST_SEEN) {
        seen.ifPresent(tx.state()::setLastSeen);
      }
      if (defect == Defect.CLEAR_DELETES_USER_SEQUENCES) {
        for (String user : ModelRunner.USERS) {
          tx.userSequences().reset(UserKey.forUserId(user));
        }
      }
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
      return tx.unwrap(type);
    }
  }
}

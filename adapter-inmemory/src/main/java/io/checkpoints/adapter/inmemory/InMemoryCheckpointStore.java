package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.UserSequences;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A checkpoint store held in memory: the {@code ps_kv} checkpoint keys, the upload queue and the
 * per-user sequences.
 *
 * <p>Thread-safe: transactions are serialised by one lock. A transaction started while the same
 * thread already runs one joins it, so a caller can wrap several operations in one transaction;
 * the outermost transaction commits or, if its work throws, rolls every change back.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {

  private final ReentrantLock lock = new ReentrantLock();
  private final ClientId clientId;

  // Guarded by lock.
  private CheckpointRequestId target;
  private CheckpointRequestId lastRequested;
  private WriteCheckpoint lastSeen;
  private WriteCheckpoint lastApplied;
  private final TreeMap<Long, LocalWrite> queue = new TreeMap<>();
  private long lastSequence;
  private final Map<UserKey, CheckpointRequestId> userSequences = new HashMap<>();

  /** Undo actions of the open outermost transaction, newest first; null when none is open. */
  private Deque<Runnable> undoLog;

  private final Transaction transaction = new Transaction();

  private InMemoryCheckpointStore(ClientId clientId) {
    this.clientId = clientId;
  }

  /**
   * @param clientId the client id this store reports, as {@code ps_kv.client_id} would
   * @return an empty store
   */
  public static InMemoryCheckpointStore create(ClientId clientId) {
    return new InMemoryCheckpointStore(Objects.requireNonNull(clientId, "clientId"));
  }

  /** @return an empty store with a random client id */
  public static InMemoryCheckpointStore create() {
    return create(ClientId.random());
  }

  @Override
  public <T> T inTransaction(TransactionWork<T> work) {
    Objects.requireNonNull(work, "work");
    lock.lock();
    try {
      if (undoLog != null) {
        return work.run(transaction); // joins the transaction this thread already runs
      }
      undoLog = new ArrayDeque<>();
      boolean committed = false;
      try {
        T result = work.run(transaction);
        committed = true;
        return result;
      } finally {
        if (!committed) {
          undoLog.forEach(Runnable::run);
        }
        undoLog = null;
      }
    } finally {
      lock.unlock();
    }
  }

  private void recordUndo(Runnable undo) {
    if (undoLog == null) {
      throw new IllegalStateException("the transaction is no longer open");
    }
    undoLog.push(undo);
  }

  private final class Transaction implements CheckpointTransaction {
    private final State state = new State();
    private final Queue uploadQueue = new Queue();
    private final Sequences sequences = new Sequences();

    @Override
    public CheckpointState state() {
      return state;
    }

    @Override
    public UploadQueue uploadQueue() {
      return uploadQueue;
    }

    @Override
    public UserSequences userSequences() {
      return sequences;
    }

    @Override
    public void clear(ClearFlags flags) {
      Objects.requireNonNull(flags, "flags");
      CheckpointRequestId oldTarget = target;
      CheckpointRequestId oldRequested = lastRequested;
      WriteCheckpoint oldSeen = lastSeen;
      WriteCheckpoint oldApplied = lastApplied;
      SortedMap<Long, LocalWrite> oldQueue = new TreeMap<>(queue);
      recordUndo(() -> {
        target = oldTarget;
        lastRequested = oldRequested;
        lastSeen = oldSeen;
        lastApplied = oldApplied;
        queue.clear();
        queue.putAll(oldQueue);
      });
      target = null;
      lastRequested = null;
      lastSeen = null;
      lastApplied = null;
      queue.clear();
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
      return type.isInstance(InMemoryCheckpointStore.this)
          ? Optional.of(type.cast(InMemoryCheckpointStore.this))
          : Optional.empty();
    }
  }

  private final class State implements CheckpointState {
    @Override
    public ClientId clientId() {
      return clientId;
    }

    @Override
    public Optional<CheckpointRequestId> target() {
      return Optional.ofNullable(target);
    }

    @Override
    public void setTarget(CheckpointRequestId value) {
      Objects.requireNonNull(value, "value");
      CheckpointRequestId old = target;
      recordUndo(() -> target = old);
      target = value;
    }

    @Override
    public void deleteTarget() {
      CheckpointRequestId old = target;
      recordUndo(() -> target = old);
      target = null;
    }

    @Override
    public Optional<CheckpointRequestId> lastRequested() {
      return Optional.ofNullable(lastRequested);
    }

    @Override
    public void setLastRequested(CheckpointRequestId value) {
      Objects.requireNonNull(value, "value");
      CheckpointRequestId old = lastRequested;
      recordUndo(() -> lastRequested = old);
      lastRequested = value;
    }

    @Override
    public Optional<WriteCheckpoint> lastSeen() {
      return Optional.ofNullable(lastSeen);
    }

    @Override
    public void setLastSeen(WriteCheckpoint value) {
      Objects.requireNonNull(value, "value");
      WriteCheckpoint old = lastSeen;
      recordUndo(() -> lastSeen = old);
      lastSeen = value;
    }

    @Override
    public void deleteLastSeen() {
      WriteCheckpoint old = lastSeen;
      recordUndo(() -> lastSeen = old);
      lastSeen = null;
    }

    @Override
    public Optional<WriteCheckpoint> lastApplied() {
      return Optional.ofNullable(lastApplied);
    }

    @Override
    public void setLastApplied(WriteCheckpoint value) {
      Objects.requireNonNull(value, "value");
      WriteCheckpoint old = lastApplied;
      recordUndo(() -> lastApplied = old);
      lastApplied = value;
    }

    @Override
    public void deleteLastApplied() {
      WriteCheckpoint old = lastApplied;
      recordUndo(() -> lastApplied = old);
      lastApplied = null;
    }
  }

  private final class Queue implements UploadQueue {
    @Override
    public long enqueue(LocalWrite write) {
      Objects.requireNonNull(write, "write");
      long oldSequence = lastSequence;
      long sequence = oldSequence + 1;
      recordUndo(() -> {
        queue.remove(sequence);
        lastSequence = oldSequence;
      });
      lastSequence = sequence;
      queue.put(sequence, write);
      return sequence;
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
      return lastSequence;
    }

    @Override
    public void removeThrough(long sequence) {
      SortedMap<Long, LocalWrite> uploaded = queue.headMap(sequence, true);
      List<Map.Entry<Long, LocalWrite>> removed = new ArrayList<>(uploaded.entrySet());
      recordUndo(() -> removed.forEach(e -> queue.put(e.getKey(), e.getValue())));
      uploaded.clear();
    }
  }

  private final class Sequences implements UserSequences {
    @Override
    public Optional<CheckpointRequestId> highest(UserKey user) {
      return Optional.ofNullable(userSequences.get(Objects.requireNonNull(user, "user")));
    }

    @Override
    public void raise(UserKey user, CheckpointRequestId id) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(id, "id");
      CheckpointRequestId old = userSequences.get(user);
      if (old != null && old.compareTo(id) >= 0) {
        return;
      }
      recordUndo(() -> restore(user, old));
      userSequences.put(user, id);
    }

    @Override
    public boolean reset(UserKey user) {
      CheckpointRequestId old = userSequences.remove(Objects.requireNonNull(user, "user"));
      if (old != null) {
        recordUndo(() -> userSequences.put(user, old));
      }
      return old != null;
    }

    @Override
    public long count() {
      return userSequences.size();
    }

    private void restore(UserKey user, CheckpointRequestId old) {
      if (old == null) {
        userSequences.remove(user);
      } else {
        userSequences.put(user, old);
      }
    }
  }
}

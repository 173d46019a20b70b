package io.checkpoints.adapter.inmemory;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStateException;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
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
 *
 * <p>The writes queued in one outermost transaction share a transaction id, as PowerSync's
 * {@code ps_tx} gives them; a write whose data is not the text of a JSON object is refused (checked
 * with Jackson). Completion callbacks run once each, after the outermost transaction ended and the
 * lock was released, on the thread that ran it. After {@link #close()} every transaction fails
 * with {@link CheckpointStateException.Reason#STORE_CLOSED}.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {

  private static final System.Logger LOG = System.getLogger(InMemoryCheckpointStore.class.getName());

  /** Reads exactly one JSON value: trailing text after it is malformed, as SQLite's json_valid says. */
  private static final ObjectReader JSON = new ObjectMapper().readerFor(JsonNode.class)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final ReentrantLock lock = new ReentrantLock();
  private final ClientId clientId;

  // Guarded by lock.
  private CheckpointRequestId target;
  private CheckpointRequestId lastRequested;
  private WriteCheckpoint lastSeen;
  private WriteCheckpoint lastApplied;
  private final TreeMap<Long, Queued> queue = new TreeMap<>();
  private long lastSequence;
  /** The transaction id the next outermost transaction that queues a write takes ({@code ps_tx.next_tx}). */
  private long nextTransactionId = 1;
  private final Map<UserKey, CheckpointRequestId> userSequences = new HashMap<>();
  private boolean closed;

  /** Undo actions of the open outermost transaction, newest first; null when none is open. */
  private Deque<Runnable> undoLog;
  /** The transaction id of the open outermost transaction's writes; null until it queues one. */
  private Long currentTransactionId;
  /** Completion callbacks of the open outermost transaction, in registration order. */
  private final List<CheckpointTransaction.CompletionCallback> completions = new ArrayList<>();

  /** A queued write and the transaction that queued it. */
  private record Queued(LocalWrite write, long transactionId) {}

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
    List<CheckpointTransaction.CompletionCallback> ended = List.of();
    boolean committed = false;
    lock.lock();
    try {
      if (closed) {
        throw new CheckpointStateException(CheckpointStateException.Reason.STORE_CLOSED,
            "the in-memory checkpoint store is closed");
      }
      if (undoLog != null) {
        return work.run(transaction); // joins the transaction this thread already runs
      }
      undoLog = new ArrayDeque<>();
      try {
        T result = work.run(transaction);
        committed = true;
        return result;
      } finally {
        if (!committed) {
          undoLog.forEach(Runnable::run);
        }
        undoLog = null;
        currentTransactionId = null;
        ended = List.copyOf(completions);
        completions.clear();
      }
    } finally {
      lock.unlock();
      // After the lock, on this thread: a callback may start a transaction of its own.
      runCallbacks(ended, committed);
    }
  }

  private static void runCallbacks(
      List<CheckpointTransaction.CompletionCallback> callbacks, boolean committed) {
    for (CheckpointTransaction.CompletionCallback callback : callbacks) {
      try {
        callback.completed(committed);
      } catch (RuntimeException | Error e) {
        // A failing callback must not keep the others from settling their state.
        LOG.log(System.Logger.Level.WARNING,
            "a checkpoint transaction's completion callback failed (committed=" + committed + ")", e);
      }
    }
  }

  /**
   * Closes the store: afterwards every transaction fails with
   * {@link CheckpointStateException.Reason#STORE_CLOSED}. Waits for a running transaction to
   * finish; closing twice does nothing. The store holds no outside resource, so closing only
   * makes it refuse further work, as the SQL stores do once their connection is closed.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  private void recordUndo(Runnable undo) {
    checkOpen();
    undoLog.push(undo);
  }

  /** Transaction views work only while their transaction is open. */
  private void checkOpen() {
    if (undoLog == null) {
      throw new IllegalStateException("the transaction is no longer open");
    }
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
      SortedMap<Long, Queued> oldQueue = new TreeMap<>(queue);
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
    public void afterCompletion(CompletionCallback callback) {
      Objects.requireNonNull(callback, "callback");
      checkOpen();
      completions.add(callback);
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
      if (!isJsonObject(write.dataJson())) {
        throw new CheckpointArgumentException(notAJsonObject(write));
      }
      long transactionId = transactionId();
      long oldSequence = lastSequence;
      long sequence = oldSequence + 1;
      recordUndo(() -> {
        queue.remove(sequence);
        lastSequence = oldSequence;
      });
      lastSequence = sequence;
      queue.put(sequence, new Queued(write, transactionId));
      return sequence;
    }

    /** The outermost transaction's id, taken from {@code nextTransactionId} at its first write. */
    private long transactionId() {
      if (currentTransactionId == null) {
        long taken = nextTransactionId;
        recordUndo(() -> nextTransactionId = taken);
        currentTransactionId = taken;
        nextTransactionId = taken == Long.MAX_VALUE - 1 ? 1 : taken + 1;
      }
      return currentTransactionId;
    }

    @Override
    public List<QueuedWrite> firstWrites(int limit) {
      if (limit < 1) {
        throw new CheckpointArgumentException(
            "the number of queued writes to read must be at least 1, got " + limit);
      }
      checkOpen();
      return queue.entrySet().stream().limit(limit).map(e -> queuedWrite(e.getKey(), e.getValue())).toList();
    }

    @Override
    public List<QueuedWrite> firstTransaction() {
      checkOpen();
      OptionalLong first = queue.values().stream().mapToLong(Queued::transactionId).min();
      if (first.isEmpty()) {
        return List.of();
      }
      return queue.entrySet().stream()
          .filter(e -> e.getValue().transactionId() == first.getAsLong())
          .map(e -> queuedWrite(e.getKey(), e.getValue()))
          .toList();
    }

    private QueuedWrite queuedWrite(long sequence, Queued queued) {
      LocalWrite write = queued.write();
      return new QueuedWrite(sequence, queued.transactionId(), write.operation(), write.table(),
          write.rowId(), write.dataJson());
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
      SortedMap<Long, Queued> uploaded = queue.headMap(sequence, true);
      List<Map.Entry<Long, Queued>> removed = new ArrayList<>(uploaded.entrySet());
      recordUndo(() -> removed.forEach(e -> queue.put(e.getKey(), e.getValue())));
      uploaded.clear();
    }
  }

  private static boolean isJsonObject(String text) {
    try {
      JsonNode node = JSON.readValue(text);
      return node != null && node.isObject();
    } catch (JacksonException e) {
      return false;
    }
  }

  /** The refusal's text, worded as the SQL stores word it (the contract suite compares them). */
  private static String notAJsonObject(LocalWrite write) {
    String data = write.dataJson();
    String shown = data.length() <= 40 ? data : data.substring(0, 40) + "...";
    return "the data of a local write must be the text of a JSON object, got \"" + shown + "\" for "
        + write;
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

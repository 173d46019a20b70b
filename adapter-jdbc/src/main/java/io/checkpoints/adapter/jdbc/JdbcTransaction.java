package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.UserSequences;
import io.checkpoints.ports.WriteCheckpoint;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Handle;

/**
 * The transaction views a {@link JdbcCheckpointStore} hands to the work: the checkpoint keys of
 * {@code ps_kv}, the upload queue {@code ps_crud} and the per-user sequences, as statements on the
 * store's connection.
 *
 * <p>Not thread-safe: used only by the thread running the work while it holds the store's lock;
 * every operation checks that its transaction is still open on the calling thread.
 */
final class JdbcTransaction implements CheckpointTransaction {

  static final String CLIENT_ID = "client_id";
  static final String TARGET = "target_checkpoint_request_id";
  static final String LAST_REQUESTED = "last_requested_checkpoint_request_id";
  static final String LAST_SEEN = "last_seen_checkpoint_request_id";
  static final String LAST_APPLIED = "last_applied_checkpoint_request_id";

  private final JdbcCheckpointStore store;
  private final Handle handle;
  private final SqlDialect dialect;
  private final State state = new State();
  private final Queue queue = new Queue();
  private final Sequences sequences = new Sequences();
  // The ps_kv statements run directly: each SQL-function call runs one or two of them.
  private final PositionalStatement selectValue;
  private final PositionalStatement upsertValue;
  private final PositionalStatement deleteValue;

  JdbcTransaction(JdbcCheckpointStore store, Handle handle, SqlDialect dialect) {
    this.store = store;
    this.handle = handle;
    this.dialect = dialect;
    this.selectValue = PositionalStatement.of(dialect.selectValue());
    this.upsertValue = PositionalStatement.of(dialect.upsertValue());
    this.deleteValue = PositionalStatement.of(dialect.deleteValue());
  }

  @Override
  public CheckpointState state() {
    checkOpenTransaction();
    return state;
  }

  @Override
  public UploadQueue uploadQueue() {
    checkOpenTransaction();
    return queue;
  }

  @Override
  public UserSequences userSequences() {
    checkOpenTransaction();
    return sequences;
  }

  /**
   * Inserts with the connection's arming active and reports whether the gate is armed after it
   * (the insert tells: the arming armed it, or found it armed); where not (a table declared
   * insert-only for SQL, a dialect that cannot tell), arming is left to the caller.
   */
  @Override
  public Enqueued enqueueArmingGate(LocalWrite write) {
    Objects.requireNonNull(write, "write");
    checkOpenTransaction();
    SqlDialect.QueuedWrite queued = queue.insert(write);
    return new Enqueued(queued.sequence(), queued.gateArmed());
  }

  /**
   * Queues the writes together where the dialect can, with the connection's arming active as for
   * {@link #enqueueArmingGate}; otherwise, and for a single write (one statement already), one by
   * one. The dialect checks every write before it queues any, so a refused batch takes no
   * {@code ps_tx} id and queues nothing.
   */
  @Override
  public EnqueuedAll enqueueAllArmingGate(List<LocalWrite> writes) {
    List<LocalWrite> batch = List.copyOf(writes);
    checkOpenTransaction();
    if (batch.size() < 2) {
      return CheckpointTransaction.super.enqueueAllArmingGate(batch);
    }
    Optional<SqlDialect.QueuedWrites> queued =
        dialect.insertQueuedWrites(handle, batch, queue::currentTransactionId);
    if (queued.isEmpty()) {
      return CheckpointTransaction.super.enqueueAllArmingGate(batch);
    }
    if (queued.get().refused() >= 0) {
      throw new CheckpointArgumentException(notAJsonObject(batch.get(queued.get().refused())));
    }
    return new EnqueuedAll(queued.get().sequences(), queued.get().gateArmed());
  }

  @Override
  public void afterCompletion(CompletionCallback callback) {
    Objects.requireNonNull(callback, "callback");
    checkOpenTransaction();
    store.completions.add(new CompletionRegistration(callback));
  }

  @Override
  public void clear(ClearFlags flags) {
    Objects.requireNonNull(flags, "flags");
    checkOpenTransaction();
    handle.execute(dialect.deleteValuesExceptClientId());
    handle.execute(dialect.deleteQueue());
    dialect.clearDownloadedData(handle, flags);
  }

  @Override
  public <T> Optional<T> unwrap(Class<T> type) {
    Objects.requireNonNull(type, "type");
    checkOpenTransaction();
    if (type.isInstance(handle)) {
      return Optional.of(type.cast(handle));
    }
    Connection connection = handle.getConnection();
    if (type.isInstance(connection)) {
      return Optional.of(type.cast(connection));
    }
    try {
      return connection.isWrapperFor(type)
          ? Optional.of(connection.unwrap(type))
          : Optional.empty();
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  private void checkOpenTransaction() {
    store.checkOpenTransaction();
  }

  // -------------------------------------------------------------------------------------------
  // Statement helpers, called with the lock held inside a transaction

  /** The stored value of a key, or empty; a row holding SQL NULL is a value of its own. */
  private Optional<Stored> read(String key) {
    checkOpenTransaction();
    return DirectStatements.queryRow(handle, selectValue.sql(),
        row -> new Stored(dialect.storedValue(row.getObject(1))), selectValue.parameters(name -> key));
  }

  private Optional<Long> readInteger(String key) {
    return read(key).map(stored -> stored.integer("ps_kv." + key));
  }

  private <T> Optional<T> readTyped(String key, LongFunction<T> type) {
    return readInteger(key).map(value -> {
      try {
        return type.apply(value);
      } catch (CheckpointArgumentException e) {
        throw new CheckpointStorageException(
            "ps_kv." + key + " holds " + value + ", which is not valid there: " + e.getMessage());
      }
    });
  }

  private void write(String key, Object value) {
    checkOpenTransaction();
    DirectStatements.execute(handle, upsertValue.sql(),
        upsertValue.parameters(name -> "key".equals(name) ? key : value));
  }

  private void delete(String key) {
    checkOpenTransaction();
    DirectStatements.execute(handle, deleteValue.sql(), deleteValue.parameters(name -> key));
  }

  private long queryLong(String sql) {
    checkOpenTransaction();
    return handle.createQuery(sql).mapTo(Long.class).one();
  }

  /** A value as read from the database, whatever its SQL type. */
  private record Stored(Object value) {
    long integer(String where) {
      if (value instanceof Long || value instanceof Integer) {
        return ((Number) value).longValue();
      }
      throw new CheckpointStorageException(where + " holds " + describe(value)
          + ", expected an integer (the reference core leaves a floating-point counter after an"
          + " overflow; this library never writes one)");
    }
  }

  private static String describe(Object value) {
    if (value == null) {
      return "SQL NULL";
    }
    if (value instanceof String text) {
      return "the text \"" + abbreviate(text) + "\"";
    }
    if (value instanceof byte[] bytes) {
      return "a blob of " + bytes.length + " bytes";
    }
    return "the " + value.getClass().getSimpleName() + " " + value;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  // -------------------------------------------------------------------------------------------
  // The views

  private final class State implements CheckpointState {
    @Override
    public ClientId clientId() {
      Optional<Stored> stored = read(CLIENT_ID);
      if (stored.isEmpty()) {
        // The store creates the identity a PowerSync database would have had from the start.
        ClientId created = store.clientIdIfAbsent != null ? store.clientIdIfAbsent : ClientId.random();
        write(CLIENT_ID, created.value());
        return created;
      }
      Object value = stored.get().value();
      String text = value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
          : value instanceof String s ? s : null;
      if (text == null || text.isBlank()) {
        throw new CheckpointStorageException(
            "ps_kv.client_id holds " + describe(value) + ", expected a non-blank text");
      }
      return ClientId.of(text);
    }

    @Override
    public Optional<CheckpointRequestId> target() {
      return readTyped(TARGET, CheckpointRequestId::of);
    }

    @Override
    public void setTarget(CheckpointRequestId target) {
      write(TARGET, Objects.requireNonNull(target, "target").value());
    }

    @Override
    public void deleteTarget() {
      delete(TARGET);
    }

    @Override
    public Optional<CheckpointRequestId> lastRequested() {
      return readTyped(LAST_REQUESTED, CheckpointRequestId::of);
    }

    @Override
    public Optional<CheckpointRequestId> incrementLastRequested() {
      checkOpenTransaction();
      Optional<String> increment = dialect.incrementCounter();
      if (increment.isEmpty()) {
        return Optional.empty(); // no fast path: the domain reads, checks and writes
      }
      OptionalLong next = DirectStatements.queryLong(handle, increment.get());
      return next.isPresent() ? Optional.of(CheckpointRequestId.of(next.getAsLong())) : Optional.empty();
    }

    @Override
    public void setLastRequested(CheckpointRequestId counter) {
      write(LAST_REQUESTED, Objects.requireNonNull(counter, "counter").value());
    }

    @Override
    public Optional<WriteCheckpoint> lastSeen() {
      return readTyped(LAST_SEEN, WriteCheckpoint::of);
    }

    @Override
    public void setLastSeen(WriteCheckpoint seen) {
      write(LAST_SEEN, Objects.requireNonNull(seen, "seen").value());
    }

    @Override
    public void deleteLastSeen() {
      delete(LAST_SEEN);
    }

    @Override
    public Optional<WriteCheckpoint> lastApplied() {
      return readTyped(LAST_APPLIED, WriteCheckpoint::of);
    }

    @Override
    public void setLastApplied(WriteCheckpoint applied) {
      write(LAST_APPLIED, Objects.requireNonNull(applied, "applied").value());
    }

    @Override
    public void deleteLastApplied() {
      delete(LAST_APPLIED);
    }
  }

  private final class Queue implements UploadQueue {
    @Override
    public long enqueue(LocalWrite write) {
      Objects.requireNonNull(write, "write");
      checkOpenTransaction();
      // Through the Java API the domain decides whether a write arms the gate (insert-only
      // writes must not), so the SQL-level arming stays out of this insert.
      dialect.pauseLocalWriteArming(handle, true);
      try {
        return insert(write).sequence();
      } finally {
        dialect.pauseLocalWriteArming(handle, false);
      }
    }

    /** Inserts a write with the connection's arming as it is, paused or not. */
    SqlDialect.QueuedWrite insert(LocalWrite write) {
      boolean tookTransactionId = store.transactionId == null;
      long txId = currentTransactionId();
      Optional<SqlDialect.QueuedWrite> queued = dialect.insertQueuedWrite(handle, write, txId);
      if (queued.isEmpty()) {
        // Refused input changes nothing: the transaction id taken for it goes back to ps_tx.
        if (tookTransactionId) {
          dialect.giveBackTransactionId(handle, txId);
          store.transactionId = null;
        }
        throw new CheckpointArgumentException(notAJsonObject(write));
      }
      return queued.get();
    }

    /** One {@code ps_tx} transaction id per store transaction, as PowerSync groups its uploads. */
    private long currentTransactionId() {
      if (store.transactionId == null) {
        store.transactionId = dialect.takeTransactionId(handle);
      }
      return store.transactionId;
    }

    @Override
    public boolean isEmpty() {
      return queryLong(dialect.queueHasWrites()) == 0;
    }

    @Override
    public long size() {
      return queryLong(dialect.queueSize());
    }

    @Override
    public long lastSequence() {
      checkOpenTransaction();
      return dialect.lastQueueSequence(handle);
    }

    @Override
    public void removeThrough(long sequence) {
      checkOpenTransaction();
      handle.createUpdate(dialect.deleteQueuedThrough()).bind("sequence", sequence).execute();
    }

    @Override
    public List<QueuedWrite> firstWrites(int limit) {
      if (limit < 1) {
        throw new CheckpointArgumentException(
            "the number of queued writes to read must be at least 1, got " + limit);
      }
      checkOpenTransaction();
      return toQueuedWrites(dialect.firstQueuedRows(handle, limit));
    }

    @Override
    public List<QueuedWrite> firstTransaction() {
      checkOpenTransaction();
      return toQueuedWrites(dialect.firstTransactionRows(handle));
    }

    private List<QueuedWrite> toQueuedWrites(List<SqlDialect.QueuedRow> rows) {
      List<QueuedWrite> writes = new ArrayList<>(rows.size());
      for (SqlDialect.QueuedRow row : rows) {
        writes.add(toQueuedWrite(row));
      }
      return List.copyOf(writes);
    }
  }

  /** Checks a decoded {@code ps_crud} row; a row this store cannot upload is a storage error. */
  private QueuedWrite toQueuedWrite(SqlDialect.QueuedRow row) {
    String where = dialect.name() + " checkpoint store: ps_crud row " + row.sequence();
    if (!row.decoded()) {
      throw new CheckpointStorageException(where + " has data that is not the text of a JSON object");
    }
    if (row.transactionId() == null) {
      throw new CheckpointStorageException(where + " has no tx_id");
    }
    LocalWrite.Operation operation = operation(row.operation());
    if (operation == null) {
      throw new CheckpointStorageException(where + " has the op "
          + (row.operation() == null ? "(missing or not a string)" : "\"" + abbreviate(row.operation()) + "\"")
          + ", expected PUT, PATCH or DELETE");
    }
    if (row.table() == null || row.table().isBlank()) {
      throw new CheckpointStorageException(where + " has no type (table name) string");
    }
    if (row.rowId() == null) {
      throw new CheckpointStorageException(where + " has no id (row id) string");
    }
    String data = row.dataJson() == null ? "{}" : row.dataJson();
    if (!data.startsWith("{")) {
      throw new CheckpointStorageException(where + " has a data member that is not a JSON object: "
          + abbreviate(data));
    }
    return new QueuedWrite(row.sequence(), row.transactionId(), operation, row.table(), row.rowId(), data);
  }

  private static LocalWrite.Operation operation(String text) {
    for (LocalWrite.Operation operation : LocalWrite.Operation.values()) {
      if (operation.name().equals(text)) {
        return operation;
      }
    }
    return null;
  }

  /**
   * The refusal of a write whose data is not the text of a JSON object, worded as every store of
   * this project words it (the contract suite compares the messages).
   */
  static String notAJsonObject(LocalWrite write) {
    return "the data of a local write must be the text of a JSON object, got \""
        + abbreviate(write.dataJson()) + "\" for " + write;
  }

  private final class Sequences implements UserSequences {
    @Override
    public Optional<CheckpointRequestId> highest(UserKey user) {
      Objects.requireNonNull(user, "user");
      checkOpenTransaction();
      return handle.createQuery(dialect.selectUserSequence())
          .bind("user", user.hex())
          .map((rs, ctx) -> new Stored(rs.getObject(1)))
          .findOne()
          .map(stored -> {
            long value = stored.integer("the per-user sequence of " + user);
            if (value < 1) {
              throw new CheckpointStorageException(
                  "the per-user sequence of " + user + " holds " + value + ", expected 1.." + Long.MAX_VALUE);
            }
            return CheckpointRequestId.of(value);
          });
    }

    @Override
    public void raise(UserKey user, CheckpointRequestId id) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(id, "id");
      checkOpenTransaction();
      handle.createUpdate(dialect.raiseUserSequence())
          .bind("user", user.hex())
          .bind("id", id.value())
          .execute();
    }

    @Override
    public boolean reset(UserKey user) {
      Objects.requireNonNull(user, "user");
      checkOpenTransaction();
      return handle.createUpdate(dialect.deleteUserSequence()).bind("user", user.hex()).execute() > 0;
    }

    @Override
    public long count() {
      return queryLong(dialect.countUserSequences());
    }
  }
}

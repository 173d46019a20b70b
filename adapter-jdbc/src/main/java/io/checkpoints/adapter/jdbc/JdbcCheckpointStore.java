package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStorageException;
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
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

/**
 * The storage ports on one JDBC connection, through Jdbi, for any database a {@link SqlDialect}
 * describes: the {@code ps_kv} checkpoint keys, the upload queue {@code ps_crud}, the per-user
 * sequences and clear.
 *
 * <p><b>Transactions.</b> On a connection the store owns, each outermost
 * {@link #inTransaction} begins the dialect's write transaction (SQLite: {@code BEGIN IMMEDIATE})
 * and commits it, or rolls it back if the work throws. On a caller's connection that already has
 * an open transaction, the work joins it inside a savepoint: the caller decides commit or rollback,
 * and a failing operation is undone back to its savepoint without aborting the caller's
 * transaction. On a caller's connection without an open transaction the store begins and commits
 * its own, as on an owned connection. A transaction started while the same thread already runs one
 * on this store is nested in a savepoint too, so an error leaves the state as it was before the
 * failing operation.
 *
 * <p><b>Completion callbacks</b> ({@link CheckpointTransaction#afterCompletion}) run once per
 * registration after the outermost transaction ended and the store released its lock, on the
 * ending thread, in registration order; a callback that throws is logged and the others still run.
 * A callback registered in nested work whose savepoint was rolled back is told {@code false}: its
 * changes are gone even if the outer transaction commits. In a caller's transaction the store
 * does not own the commit: where the dialect can watch the connection's transactions
 * ({@link SqlDialect#watchTransactionEnds}), the callbacks run when the caller commits or rolls
 * back; where it cannot, they run at the end of the store's own outermost call, as committed (or
 * as rolled back if that call failed).
 *
 * <p><b>Closing.</b> After {@link #close()}, every {@link #inTransaction} fails with a
 * {@link CheckpointStateException} of reason {@code STORE_CLOSED} and changes nothing.
 *
 * <p><b>Values.</b> Checkpoint keys are stored as SQL integers and {@code client_id} as text, as
 * the reference core stores them. A stored value this store cannot read as its type (for example
 * the floating-point counter the reference leaves after an overflow, or a text planted by hand)
 * makes the getter throw {@link CheckpointStorageException} naming the key and what it holds.
 *
 * <p><b>Statements.</b> On a connection the store owns, prepared statements are kept and reused
 * (at most 64 idle ones); on a caller's connection each is prepared when it runs and closed after,
 * so the store leaves nothing open there between its operations.
 *
 * <p>Thread-safe: transactions on one store are serialised by a lock, so one connection is never
 * used by two threads at once; the transaction views are confined to the thread running the work.
 * Work must not wait for another thread that uses the same store.
 */
public final class JdbcCheckpointStore implements CheckpointStore, AutoCloseable {

  static final String CLIENT_ID = "client_id";
  static final String TARGET = "target_checkpoint_request_id";
  static final String LAST_REQUESTED = "last_requested_checkpoint_request_id";
  static final String LAST_SEEN = "last_seen_checkpoint_request_id";
  static final String LAST_APPLIED = "last_applied_checkpoint_request_id";

  /** Room for every statement the store runs repeatedly, with a margin; see {@link CachingStatementBuilder}. */
  private static final int STATEMENT_CACHE_CAPACITY = 64;

  private final Handle handle;
  private final SqlDialect dialect;
  private final AutoCloseable ownedConnection;
  /** Held around the store's own transactions; null when not shared. */
  private final Lock writerLock;
  private final ClientId clientIdIfAbsent;
  private final Set<String> insertOnlyTables;
  /** The statements kept on an owned connection; null on a caller's. */
  private final CachingStatementBuilder keptStatements;

  private static final System.Logger LOG = System.getLogger(JdbcCheckpointStore.class.getName());

  private final ReentrantLock lock = new ReentrantLock();
  private final Transaction transaction = new Transaction();

  /** Callbacks of the outermost transaction that is open on the store's lock. Guarded by lock. */
  private final List<Registration> completions = new ArrayList<>();

  /**
   * Callbacks of joined work that committed into a caller's transaction still open, waiting for
   * the caller's commit or rollback. Guarded by itself, not by lock: the caller ends its
   * transaction outside the store's calls, possibly while another thread holds the lock.
   */
  private final List<Registration> awaitingCaller = new ArrayList<>();

  /** Stops watching a caller's connection; null on an owned one or where nothing can watch. */
  private AutoCloseable callerWatch;

  // Guarded by lock.
  private int depth;
  private Long transactionId;
  private boolean closed;
  /** Whether {@link Builder#open()} created the schema: only then can the arming be installed. */
  private boolean opened;

  private JdbcCheckpointStore(Builder builder) {
    this.handle = builder.handle;
    this.dialect = builder.dialect;
    this.ownedConnection = builder.ownedConnection;
    this.writerLock = builder.writerLock;
    this.clientIdIfAbsent = builder.clientIdIfAbsent;
    this.insertOnlyTables = Set.copyOf(builder.insertOnlyTables);
    this.keptStatements = ownedConnection == null ? null
        : new CachingStatementBuilder(STATEMENT_CACHE_CAPACITY);
  }

  /**
   * Starts building a store on a connection.
   *
   * @param handle the Jdbi handle of the connection; by default the caller's, which the store
   *     joins and never closes (see {@link Builder#ownedBy})
   * @param dialect the database's dialect
   * @return the builder
   */
  public static Builder builder(Handle handle, SqlDialect dialect) {
    return new Builder(Objects.requireNonNull(handle, "handle"),
        Objects.requireNonNull(dialect, "dialect"));
  }

  /** @return the dialect this store runs on */
  public SqlDialect dialect() {
    return dialect;
  }

  /** @return whether this store owns its connection (else it works on a caller's connection) */
  public boolean ownsConnection() {
    return ownedConnection != null;
  }

  @Override
  public <T> T inTransaction(TransactionWork<T> work) {
    Objects.requireNonNull(work, "work");
    Runnable completion = null;
    lock.lock();
    try {
      if (closed) {
        throw new CheckpointStateException(CheckpointStateException.Reason.STORE_CLOSED,
            "the " + dialect.name() + " checkpoint store is closed");
      }
      if (depth > 0) {
        return inSavepoint(work); // nested on this thread
      }
      boolean joinCaller;
      try {
        joinCaller = ownedConnection == null && dialect.isInTransaction(handle);
      } catch (JdbiException e) {
        throw storageFailure("could not inspect the connection's transaction", e);
      }
      boolean succeeded = false;
      try {
        T result = joinCaller ? joinedTransaction(work) : ownTransaction(work);
        succeeded = true;
        return result;
      } finally {
        transactionId = null;
        completion = endOutermost(joinCaller, succeeded);
      }
    } finally {
      lock.unlock();
      if (completion != null) {
        completion.run(); // after the lock: a callback may use the store again
      }
    }
  }

  /**
   * Takes the callbacks of the outermost transaction that just ended (with the lock held) and
   * says what to run once the lock is released.
   */
  private Runnable endOutermost(boolean joinedCaller, boolean succeeded) {
    if (completions.isEmpty()) {
      return null;
    }
    List<Registration> ended = List.copyOf(completions);
    completions.clear();
    if (joinedCaller && succeeded && callerWatch != null) {
      synchronized (awaitingCaller) {
        awaitingCaller.addAll(ended); // the caller's commit or rollback decides
      }
      return null;
    }
    // Own transaction: committed exactly when it succeeded. Joined work that failed was rolled
    // back to its savepoint. Joined work that succeeded where nothing watches the caller's
    // transaction: reported as committed now (the documented limitation of such a dialect).
    return () -> runCallbacks(ended, succeeded);
  }

  private void callerTransactionEnded(boolean committed) {
    List<Registration> ended;
    synchronized (awaitingCaller) {
      if (awaitingCaller.isEmpty()) {
        return;
      }
      ended = List.copyOf(awaitingCaller);
      awaitingCaller.clear();
    }
    runCallbacks(ended, committed);
  }

  private static void runCallbacks(List<Registration> registrations, boolean committed) {
    for (Registration registration : registrations) {
      boolean reported = committed && !registration.discarded;
      try {
        registration.callback.completed(reported);
      } catch (RuntimeException | Error e) {
        // A failing callback must not keep the others from settling their state.
        LOG.log(System.Logger.Level.WARNING,
            "a checkpoint transaction's completion callback failed (committed=" + reported + ")", e);
      }
    }
  }

  /** A completion callback and whether its savepoint was rolled back. Guarded by lock. */
  private static final class Registration {
    final CheckpointTransaction.CompletionCallback callback;
    boolean discarded;

    Registration(CheckpointTransaction.CompletionCallback callback) {
      this.callback = callback;
    }
  }

  private <T> T joinedTransaction(TransactionWork<T> work) {
    return inSavepoint(tx -> {
      dialect.takeWriteLock(handle);
      installArmingOnCallersConnection();
      return work.run(tx);
    });
  }

  private <T> T ownTransaction(TransactionWork<T> work) {
    if (writerLock != null) {
      writerLock.lock();
    }
    try {
      beginOwnTransaction();
      T result;
      depth = 1;
      try {
        if (ownedConnection == null) {
          installArmingOnCallersConnection();
        }
        result = work.run(transaction);
      } catch (Throwable e) { // checked exceptions too: work may throw them sneakily
        rollbackAfter(e);
        throw translate(e);
      } finally {
        depth = 0;
      }
      try {
        DirectStatements.execute(handle, dialect.commit());
      } catch (JdbiException e) {
        rollbackAfter(e);
        throw storageFailure("could not commit", e);
      }
      return result;
    } finally {
      if (writerLock != null) {
        writerLock.unlock();
      }
    }
  }

  private void beginOwnTransaction() {
    try {
      DirectStatements.execute(handle, dialect.beginWriteTransaction());
    } catch (JdbiException e) {
      throw storageFailure("could not begin a write transaction", e);
    }
    try {
      dialect.takeWriteLock(handle);
    } catch (RuntimeException e) {
      rollbackAfter(e);
      throw e instanceof JdbiException jdbi
          ? storageFailure("could not begin a write transaction", jdbi) : e;
    }
  }

  private <T> T inSavepoint(TransactionWork<T> work) {
    // Named by depth, so that the statements repeat and the kept ones serve again; a level's
    // name is free again once its savepoint is released or rolled back.
    String name = "checkpoints_" + depth;
    try {
      dialect.savepoint(handle, name);
    } catch (JdbiException e) {
      throw storageFailure("could not open a savepoint", e);
    }
    depth++;
    int firstCallback = completions.size();
    try {
      T result = work.run(transaction);
      dialect.releaseSavepoint(handle, name);
      return result;
    } catch (Throwable e) { // checked exceptions too: work may throw them sneakily
      try {
        dialect.rollbackToSavepoint(handle, name);
      } catch (RuntimeException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      for (int i = firstCallback; i < completions.size(); i++) {
        completions.get(i).discarded = true;
      }
      throw translate(e);
    } finally {
      depth--;
    }
  }

  private void rollbackAfter(Throwable failure) {
    try {
      DirectStatements.execute(handle, dialect.rollback());
    } catch (RuntimeException rollbackFailure) {
      // The database may already have rolled back by itself (for example after an I/O error).
      failure.addSuppressed(rollbackFailure);
    }
  }

  private void installArmingOnCallersConnection() {
    // A caller's rolled-back transaction may have undone the installation, so check every time.
    if (opened) {
      dialect.installLocalWriteArming(handle, insertOnlyTables);
    }
  }

  /**
   * What to throw for a failure of the work: a statement's failure as a storage exception,
   * anything else unchanged (a checked exception thrown sneakily is rethrown the same way).
   */
  private RuntimeException translate(Throwable e) {
    if (e instanceof JdbiException jdbi) {
      return storageFailure("a statement failed", jdbi);
    }
    if (e instanceof RuntimeException runtime) {
      return runtime;
    }
    throw JdbcCheckpointStore.<RuntimeException>sneakyThrow(e);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneakyThrow(Throwable e) throws E {
    throw (E) e;
  }

  private CheckpointStorageException storageFailure(String what, JdbiException e) {
    Throwable cause = e.getCause() instanceof SQLException sql ? sql : e;
    return new CheckpointStorageException(
        dialect.name() + " checkpoint store: " + what + ": " + firstLine(cause.getMessage()), e);
  }

  /** Some drivers (H2) append the statement on further lines; a message stays one line. */
  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /**
   * Closes the connection if the store owns it; a caller's connection stays open, and callbacks
   * waiting for the caller's open transaction still run when it ends. Waits for a running
   * transaction to finish. Closing twice does nothing.
   *
   * @throws CheckpointStorageException if the connection could not be closed
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      boolean awaiting;
      synchronized (awaitingCaller) {
        awaiting = !awaitingCaller.isEmpty();
      }
      if (callerWatch != null && !awaiting) {
        callerWatch.close();
        callerWatch = null;
      }
      if (ownedConnection != null) {
        keptStatements.close(handle.getConnection());
        handle.close();
        ownedConnection.close();
      }
    } catch (Exception e) {
      throw new CheckpointStorageException(
          dialect.name() + " checkpoint store: could not close the connection: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statement helpers, called with the lock held inside a transaction

  private void checkOpenTransaction() {
    if (!lock.isHeldByCurrentThread() || depth == 0) {
      throw new IllegalStateException(
          "the checkpoint transaction is no longer open or belongs to another thread");
    }
  }

  /** The stored value of a key, or empty; a row holding SQL NULL is a value of its own. */
  private Optional<Stored> read(String key) {
    checkOpenTransaction();
    return handle.createQuery(dialect.selectValue())
        .bind("key", key)
        .map((rs, ctx) -> new Stored(dialect.storedValue(rs.getObject(1))))
        .findOne();
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
    handle.createUpdate(dialect.upsertValue()).bind("key", key).bind("value", value).execute();
  }

  private void delete(String key) {
    checkOpenTransaction();
    handle.createUpdate(dialect.deleteValue()).bind("key", key).execute();
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
  // The transaction views

  private final class Transaction implements CheckpointTransaction {
    private final State state = new State();
    private final Queue queue = new Queue();
    private final Sequences sequences = new Sequences();

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
     * Inserts with the connection's arming active and reports whether it armed the gate for this
     * write (the insert tells); where it did not (a table declared insert-only for SQL, a dialect
     * that cannot tell), arming is left to the caller.
     */
    @Override
    public Enqueued enqueueArmingGate(LocalWrite write) {
      Objects.requireNonNull(write, "write");
      checkOpenTransaction();
      SqlDialect.QueuedWrite queued = queue.insert(write);
      return new Enqueued(queued.sequence(), queued.gateArmed());
    }

    @Override
    public void afterCompletion(CompletionCallback callback) {
      Objects.requireNonNull(callback, "callback");
      checkOpenTransaction();
      completions.add(new Registration(callback));
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
  }

  private final class State implements CheckpointState {
    @Override
    public ClientId clientId() {
      Optional<Stored> stored = read(CLIENT_ID);
      if (stored.isEmpty()) {
        // The store creates the identity a PowerSync database would have had from the start.
        ClientId created = clientIdIfAbsent != null ? clientIdIfAbsent : ClientId.random();
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
      boolean tookTransactionId = transactionId == null;
      long txId = currentTransactionId();
      Optional<SqlDialect.QueuedWrite> queued = dialect.insertQueuedWrite(handle, write, txId);
      if (queued.isEmpty()) {
        // Refused input changes nothing: the transaction id taken for it goes back to ps_tx.
        if (tookTransactionId) {
          dialect.giveBackTransactionId(handle, txId);
          transactionId = null;
        }
        throw new CheckpointArgumentException(notAJsonObject(write));
      }
      return queued.get();
    }

    /** One {@code ps_tx} transaction id per store transaction, as PowerSync groups its uploads. */
    private long currentTransactionId() {
      if (transactionId == null) {
        transactionId = dialect.takeTransactionId(handle);
      }
      return transactionId;
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

  /**
   * Builds a {@link JdbcCheckpointStore}. Not thread-safe: use it on one thread.
   */
  public static final class Builder {
    private final Handle handle;
    private final SqlDialect dialect;
    private AutoCloseable ownedConnection;
    private Lock writerLock;
    private ClientId clientIdIfAbsent;
    private final Set<String> insertOnlyTables = new LinkedHashSet<>();

    private Builder(Handle handle, SqlDialect dialect) {
      this.handle = handle;
      this.dialect = dialect;
    }

    /**
     * Declares the connection the store's own: the dialect prepares it, every outermost
     * transaction is the store's, and {@link JdbcCheckpointStore#close()} closes the handle and
     * then {@code connection}.
     *
     * @param connection what closes the connection
     * @return this builder
     */
    public Builder ownedBy(AutoCloseable connection) {
      this.ownedConnection = Objects.requireNonNull(connection, "connection");
      return this;
    }

    /**
     * A lock held for the whole of each transaction the store begins itself (not while it joins a
     * caller's): stores on one database file in one process share one, so that their writers
     * queue in the JVM instead of polling the database's busy handler.
     *
     * @param writerLock the lock
     * @return this builder
     */
    public Builder writerLock(Lock writerLock) {
      this.writerLock = Objects.requireNonNull(writerLock, "writerLock");
      return this;
    }

    /**
     * @param clientId the client id to store if the database has none (default: a random UUID, as
     *     a PowerSync database gets); an existing one is never changed
     * @return this builder
     */
    public Builder clientIdIfAbsent(ClientId clientId) {
      this.clientIdIfAbsent = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /**
     * @param tables PowerSync table names whose writes, entering {@code ps_crud} by SQL, do not
     *     arm the gate (see {@link SqlDialect#installLocalWriteArming})
     * @return this builder
     * @throws CheckpointArgumentException if a name is null or blank
     */
    public Builder insertOnlyTables(Collection<String> tables) {
      Set<String> all = InsertOnlyTables.union(insertOnlyTables, tables);
      insertOnlyTables.clear();
      insertOnlyTables.addAll(all);
      return this;
    }

    /**
     * Prepares the connection (if owned) and, in one transaction, creates the missing tables,
     * the client id and the arming of local writes.
     *
     * @return the store
     * @throws CheckpointStorageException if the database could not be prepared; an owned
     *     connection is then closed
     */
    public JdbcCheckpointStore open() {
      JdbcCheckpointStore store = new JdbcCheckpointStore(this);
      try {
        if (ownedConnection != null) {
          // Only on a connection of our own: a caller's handle keeps the caller's settings.
          handle.setStatementBuilder(store.keptStatements);
          try {
            dialect.prepareOwnedConnection(handle);
          } catch (JdbiException e) {
            throw store.storageFailure("could not prepare the connection", e);
          }
        }
        store.inTransaction(tx -> {
          dialect.ensureSchema(handle);
          dialect.installLocalWriteArming(handle, store.insertOnlyTables);
          tx.state().clientId();
          return null;
        });
        store.lock.lock();
        try {
          store.opened = true;
          if (ownedConnection == null) {
            store.callerWatch = store.dialect
                .watchTransactionEnds(handle, store::callerTransactionEnded).orElse(null);
          }
        } finally {
          store.lock.unlock();
        }
        return store;
      } catch (RuntimeException e) {
        if (ownedConnection != null) {
          Closing.closeAfter(e, store);
        }
        throw e;
      }
    }
  }

}

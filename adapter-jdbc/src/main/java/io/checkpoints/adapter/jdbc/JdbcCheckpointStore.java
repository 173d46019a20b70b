package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClientId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
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
 * (at most 64 idle ones). On a caller's connection each is prepared when it runs and closed after,
 * unless the adapter created the Jdbi handle for the store ({@link Builder#keepStatements()}): then
 * the store keeps them there too, reset (so they hold no lock) between its operations, and closes
 * them when it closes.
 *
 * <p>Thread-safe: transactions on one store are serialised by a lock, so one connection is never
 * used by two threads at once; the transaction views are confined to the thread running the work.
 * Work must not wait for another thread that uses the same store.
 */
public final class JdbcCheckpointStore implements CheckpointStore, AutoCloseable {

  /** Room for every statement the store runs repeatedly, with a margin; see {@link CachingStatementBuilder}. */
  private static final int STATEMENT_CACHE_CAPACITY = 64;

  private final Handle handle;
  private final SqlDialect dialect;
  private final AutoCloseable ownedConnection;
  /** Held around the store's own transactions; null when not shared. */
  private final Lock writerLock;
  final ClientId clientIdIfAbsent;
  private final Set<String> insertOnlyTables;
  /** The statements kept on an owned connection or a handle of the store's own; else null. */
  private final CachingStatementBuilder keptStatements;

  private final ReentrantLock lock = new ReentrantLock();
  private final JdbcTransaction transaction;

  /** Callbacks of the outermost transaction that is open on the store's lock. Guarded by lock. */
  final List<CompletionRegistration> completions = new ArrayList<>();

  /**
   * Callbacks of joined work that committed into a caller's transaction still open, waiting for
   * the caller's commit or rollback. Guarded by itself, not by lock: the caller ends its
   * transaction outside the store's calls, possibly while another thread holds the lock.
   */
  private final List<CompletionRegistration> awaitingCaller = new ArrayList<>();

  /** Stops watching a caller's connection; null on an owned one or where nothing can watch. */
  private AutoCloseable callerWatch;

  // Guarded by lock.
  private int depth;
  /** The {@code ps_tx} id of the open transaction, taken by its first queued write. */
  Long transactionId;
  private boolean closed;
  /** Whether {@link Builder#open()} created the schema: only then can the arming be installed. */
  private boolean opened;
  /** Whether the open transaction (own or joined) checked or installed the arming. */
  private boolean armingCheckedInTransaction;

  /**
   * Whether the arming on a caller's connection was installed or found in a transaction the store
   * began and committed itself, with no rollback on the connection since: then no rollback or
   * {@code ROLLBACK TO} of a caller can have undone it, and the check at each operation is
   * skipped. Only trusted while {@link #callerWatch} reports the connection's rollbacks, which
   * clear it. Written by the committing thread's hook too, hence volatile.
   */
  private volatile boolean armingDurable;

  private JdbcCheckpointStore(Builder builder) {
    this.handle = builder.handle;
    this.dialect = builder.dialect;
    this.ownedConnection = builder.ownedConnection;
    this.writerLock = builder.writerLock;
    this.clientIdIfAbsent = builder.clientIdIfAbsent;
    this.insertOnlyTables = Set.copyOf(builder.insertOnlyTables);
    this.keptStatements = ownedConnection == null && !builder.keepStatements ? null
        : new CachingStatementBuilder(STATEMENT_CACHE_CAPACITY);
    this.transaction = new JdbcTransaction(this, handle, dialect);
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
        throw StorageFailures.storageFailure(dialect, "could not inspect the connection's transaction", e);
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
    List<CompletionRegistration> ended = List.copyOf(completions);
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
    return () -> CompletionRegistration.runAll(ended, succeeded);
  }

  private void callerTransactionEnded(boolean committed) {
    if (!committed) {
      armingDurable = false; // look again: the rolled-back transaction may have dropped the trigger
    }
    List<CompletionRegistration> ended;
    synchronized (awaitingCaller) {
      if (awaitingCaller.isEmpty()) {
        return;
      }
      ended = List.copyOf(awaitingCaller);
      awaitingCaller.clear();
    }
    CompletionRegistration.runAll(ended, committed);
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
      armingCheckedInTransaction = false;
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
        throw StorageFailures.translate(dialect, e);
      } finally {
        depth = 0;
      }
      try {
        DirectStatements.execute(handle, dialect.commit());
      } catch (JdbiException e) {
        rollbackAfter(e);
        throw StorageFailures.storageFailure(dialect, "could not commit", e);
      }
      if (armingCheckedInTransaction && ownedConnection == null) {
        armingDurable = true; // our own BEGIN ... COMMIT: no caller's savepoint could undo it
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
      throw StorageFailures.storageFailure(dialect, "could not begin a write transaction", e);
    }
    try {
      dialect.takeWriteLock(handle);
    } catch (RuntimeException e) {
      rollbackAfter(e);
      throw e instanceof JdbiException jdbi
          ? StorageFailures.storageFailure(dialect, "could not begin a write transaction", jdbi) : e;
    }
  }

  private <T> T inSavepoint(TransactionWork<T> work) {
    // Named by depth, so that the statements repeat and the kept ones serve again; a level's
    // name is free again once its savepoint is released or rolled back.
    String name = "checkpoints_" + depth;
    try {
      dialect.savepoint(handle, name);
    } catch (JdbiException e) {
      throw StorageFailures.storageFailure(dialect, "could not open a savepoint", e);
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
      throw StorageFailures.translate(dialect, e);
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
    // A caller's rolled-back transaction (or savepoint) may have undone the installation, so check
    // every time unless the store committed the installation itself and has seen no rollback since.
    if (opened && !(armingDurable && callerWatch != null)) {
      dialect.installLocalWriteArming(handle, insertOnlyTables);
      armingCheckedInTransaction = true;
    }
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
      if (keptStatements != null) {
        keptStatements.close(handle.getConnection());
      }
      if (ownedConnection != null) {
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

  /** Throws unless the calling thread runs an open transaction of this store. */
  void checkOpenTransaction() {
    if (!lock.isHeldByCurrentThread() || depth == 0) {
      throw new IllegalStateException(
          "the checkpoint transaction is no longer open or belongs to another thread");
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
    private boolean keepStatements;
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
     * Lets a store on a caller's connection keep its prepared statements, as on a connection of
     * its own: for a handle the adapter opened for the store on the caller's connection, never
     * for the caller's own handle (the store sets the handle's statement builder). A SQL function
     * that calls the store once per row or statement then prepares nothing per call. The kept
     * statements are reset between operations, so they hold no lock, and closed when the store
     * closes; the connection stays open.
     *
     * @return this builder
     */
    public Builder keepStatements() {
      this.keepStatements = true;
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
        if (store.keptStatements != null) {
          // Only on a handle of our own: a caller's handle keeps the caller's settings.
          handle.setStatementBuilder(store.keptStatements);
        }
        if (ownedConnection != null) {
          try {
            dialect.prepareOwnedConnection(handle);
          } catch (JdbiException e) {
            throw StorageFailures.storageFailure(dialect, "could not prepare the connection", e);
          }
        }
        store.inTransaction(tx -> {
          dialect.ensureSchema(handle);
          dialect.installLocalWriteArming(handle, store.insertOnlyTables);
          store.armingCheckedInTransaction = true;
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
        if (ownedConnection != null || store.keptStatements != null) {
          Closing.closeAfter(e, store); // a caller's connection stays open
        }
        throw e;
      }
    }
  }

}
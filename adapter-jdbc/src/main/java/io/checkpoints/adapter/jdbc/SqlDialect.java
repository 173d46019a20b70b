package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.LocalWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * What differs between the databases {@link JdbcCheckpointStore} runs on: transaction control, the
 * schema, how a local write entering the queue arms the gate, and the statements whose syntax is
 * not portable. Everything else (the order of operations, the value types, rollback, nesting,
 * error translation) is shared.
 *
 * <p>The statement texts use Jdbi named parameters, except transaction control and the counter's
 * increment, which have none. The default texts and methods are SQLite's, which are plain SQL
 * except where a method says otherwise; a dialect overrides those its database spells differently
 * (H2, for example, treats {@code KEY} and {@code VALUE} as keywords and has {@code MERGE} instead
 * of {@code INSERT OR REPLACE}). What every allocation and local write runs, SQLite's statements
 * run through {@link DirectStatements}, without Jdbi's per-statement work.
 *
 * <p>Tables the store relies on, whatever their spelling: {@code ps_kv} (a text key, one value per
 * key: an integer id or the client id text), {@code ps_crud} (an id increasing across deletes,
 * the JSON data of the write, a transaction id), {@code ps_tx} (the next transaction id, row
 * {@code id = 1}) and the per-user sequence table, which clear never touches.
 *
 * <p>Implementations must be stateless and thread-safe: one instance serves every store and
 * connection. Methods taking a {@link Handle} are called with the store's lock held, on the thread
 * that runs the transaction.
 */
public interface SqlDialect {

  /**
   * The per-user sequence table, one row {@code (user_key, last_request_id)} per user, which clear
   * never touches; the same name in every database. It must not start with {@code ps_data_},
   * which clear empties.
   */
  String USER_SEQUENCE_TABLE = "checkpoint_user_sequence";

  /** @return a short name for messages, for example {@code "SQLite"} */
  String name();

  // -----------------------------------------------------------------------------------------
  // Connections and transactions

  /**
   * Configures a connection the store opened itself and owns, once, before any transaction (for
   * example journal mode and busy timeout). Not called for a caller's connection.
   *
   * @param handle the new connection
   */
  void prepareOwnedConnection(Handle handle);

  /**
   * Tells whether the connection has an open transaction, which a store working on a caller's
   * connection then joins instead of beginning its own.
   *
   * @param handle the connection
   * @return whether a transaction is open
   */
  boolean isInTransaction(Handle handle);

  /**
   * The statement that begins the store's own write transaction, taking the write lock up front
   * where the database allows it, so that a concurrent writer makes it wait instead of failing
   * later. Transaction control has no parameters: the store runs it directly on the JDBC
   * connection, from its cache of prepared statements where it owns the connection.
   *
   * @return for example SQLite's {@code BEGIN IMMEDIATE}
   */
  String beginWriteTransaction();

  /**
   * Takes the write lock the {@link #beginWriteTransaction} statement could not take: called right
   * after the store began its own transaction (which it rolls back if this fails), and at the start
   * of each outermost operation that joins a transaction the caller opened, inside the operation's
   * savepoint. With the lock the read-modify-write of the counter cannot interleave with another
   * connection's. The default does nothing: SQLite's {@code BEGIN IMMEDIATE} took the lock, and a
   * caller's transaction cannot be upgraded (it should therefore begin {@code IMMEDIATE}).
   *
   * @param handle the connection, inside an open transaction
   */
  default void takeWriteLock(Handle handle) {}

  /** @return the statement that commits the transaction {@link #beginWriteTransaction} began */
  default String commit() {
    return "COMMIT";
  }

  /** @return the statement that rolls back the transaction {@link #beginWriteTransaction} began */
  default String rollback() {
    return "ROLLBACK";
  }

  /**
   * Opens a savepoint: how the store nests its work in a transaction that is already open, so
   * that a failing operation leaves no partial change while the outer transaction goes on.
   *
   * @param handle the connection
   * @param name a plain identifier
   */
  default void savepoint(Handle handle, String name) {
    handle.execute("SAVEPOINT " + name);
  }

  /**
   * @param handle the connection
   * @param name the savepoint to release, keeping its changes
   */
  default void releaseSavepoint(Handle handle, String name) {
    handle.execute("RELEASE SAVEPOINT " + name);
  }

  /**
   * Undoes the changes since the savepoint and releases it.
   *
   * @param handle the connection
   * @param name the savepoint
   */
  default void rollbackToSavepoint(Handle handle, String name) {
    handle.execute("ROLLBACK TO SAVEPOINT " + name);
    handle.execute("RELEASE SAVEPOINT " + name);
  }

  // -----------------------------------------------------------------------------------------
  // Schema and the gate's arming

  /**
   * Creates the tables the store needs if they do not exist, inside a write transaction; an
   * existing database keeps its tables as they are.
   *
   * @param handle the connection
   */
  void ensureSchema(Handle handle);

  /**
   * Makes every write that enters {@code ps_crud} on this connection by SQL, not through the store,
   * arm the gate in the same statement (target {@code MAX}, last seen and last applied deleted),
   * except writes to the declared insert-only tables. Must be idempotent and cheap when already
   * installed: the store calls it at the start of each transaction on a caller's connection,
   * because a rolled-back transaction may have undone an earlier installation. Where the dialect
   * watches the connection's transactions ({@link #watchTransactionEnds}), the store skips the
   * call after it committed an installation in a transaction of its own, until a rollback.
   *
   * @param handle the connection
   * @param insertOnlyTables PowerSync table names ({@code type} of the queued write) whose writes
   *     do not arm the gate
   */
  void installLocalWriteArming(Handle handle, Set<String> insertOnlyTables);

  /**
   * Pauses or resumes the arming of {@link #installLocalWriteArming} on this connection. The store
   * pauses it around its own queue inserts, because through the Java API arming is the domain's
   * decision (a write declared insert-only must not arm).
   *
   * @param handle the connection
   * @param paused whether arming is paused
   */
  void pauseLocalWriteArming(Handle handle, boolean paused);

  // -----------------------------------------------------------------------------------------
  // Statements

  /** @return the value of {@code ps_kv} row {@code :key}, as column 1 */
  default String selectValue() {
    return "SELECT value FROM ps_kv WHERE key = :key";
  }

  /**
   * Turns column 1 of {@link #selectValue()} into the value as the store reads it: a {@link Long}
   * (or {@link Integer}) for an integer and a {@link String} (or UTF-8 {@code byte[]}) for a text;
   * anything else is reported as a value the store cannot read. The default keeps the column as
   * the driver returned it, which suits a database with dynamically typed values such as SQLite.
   *
   * @param column what the driver returned, possibly null
   * @return the value
   */
  default Object storedValue(Object column) {
    return column;
  }

  /**
   * @return inserts or replaces {@code ps_kv} row {@code :key} with {@code :value}, bound as a
   *     {@link Long} for an integer or a {@link String} for a text; reading it back through
   *     {@link #selectValue()} and {@link #storedValue} must give the same type
   */
  default String upsertValue() {
    return "INSERT OR REPLACE INTO ps_kv(key, value) VALUES (:key, :value)";
  }

  /**
   * The allocation's hot path in one statement, without parameters (the store runs it directly on
   * the connection, as it runs transaction control).
   *
   * @return adds one to {@code last_requested_checkpoint_request_id} when it is an integer below
   *     {@link Long#MAX_VALUE} and returns the new value as column 1 (no row when nothing changed),
   *     or empty if the database cannot do that in one statement
   */
  default Optional<String> incrementCounter() {
    return Optional.empty();
  }

  /** @return deletes {@code ps_kv} row {@code :key} */
  default String deleteValue() {
    return "DELETE FROM ps_kv WHERE key = :key";
  }

  /** @return deletes every {@code ps_kv} row except {@code client_id} */
  default String deleteValuesExceptClientId() {
    return "DELETE FROM ps_kv WHERE key != 'client_id'";
  }

  /**
   * Queues a local write if its data is the text of a JSON object, with the arming of
   * {@link #installLocalWriteArming} as it is on this connection (paused or not). The row's
   * {@code ps_crud.data} is the JSON object
   * {@code {"op": ..., "id": ..., "type": ..., "data": <the data as JSON>}}, members in that order
   * as the reference core writes them; its {@code tx_id} is {@code txId}.
   *
   * @param handle the connection
   * @param write the write
   * @param txId the {@code ps_tx} transaction id to store with it
   * @return the write's sequence ({@link #lastQueueSequence} after the insert) and whether the
   *     gate is armed after the same statement (armed for it, or found armed); empty if the data is
   *     not the text of a JSON object and nothing was inserted
   */
  Optional<QueuedWrite> insertQueuedWrite(Handle handle, LocalWrite write, long txId);

  /**
   * A write {@link #insertQueuedWrite} queued.
   *
   * @param sequence the write's sequence number
   * @param gateArmed whether the gate is armed as arming leaves it (target {@code MAX}, last seen
   *     and last applied deleted) after the statement that queued it, because the database armed it
   *     or found it armed already; false where the dialect cannot tell
   */
  record QueuedWrite(long sequence, boolean gateArmed) {}

  /**
   * Queues several writes as {@link #insertQueuedWrite} queues each, in order and with the same
   * rows, in far fewer statements, if this dialect can: it first checks every write's data, and
   * queues nothing if one is not the text of a JSON object.
   *
   * @param handle the connection
   * @param writes the writes, in order; at least one
   * @param txId gives the {@code ps_tx} transaction id to store with them; called only once the
   *     writes were checked, so that a refused batch takes none
   * @return empty if this dialect cannot queue writes together (the default; the store then queues
   *     them one by one); otherwise what happened
   */
  default Optional<QueuedWrites> insertQueuedWrites(
      Handle handle, List<LocalWrite> writes, LongSupplier txId) {
    return Optional.empty();
  }

  /**
   * What {@link #insertQueuedWrites} did.
   *
   * @param refused the index of the first write whose data is not the text of a JSON object (then
   *     nothing was queued and {@code sequences} is empty), or -1
   * @param sequences the writes' sequence numbers, in the writes' order
   * @param gateArmed as {@link QueuedWrite#gateArmed()}, after the last write
   */
  record QueuedWrites(int refused, List<Long> sequences, boolean gateArmed) {}

  /**
   * Reads the oldest queued writes, in queue order ({@code ps_crud.id}), decoding each row's
   * {@code data} ({@code {"op": ..., "id": ..., "type": ..., "data": {...}}}) in the database where
   * it can. Rows written by PowerSync SDKs or the reference core may lack {@code "data"} (a DELETE)
   * or carry further members ({@code "old"}, {@code "metadata"}), which are ignored. The store
   * checks the decoded rows and reports a row it cannot use.
   *
   * @param handle the connection
   * @param limit the most rows to return; at least 1
   * @return up to {@code limit} rows, oldest first
   */
  List<QueuedRow> firstQueuedRows(Handle handle, int limit);

  /**
   * Reads the writes with the smallest {@code ps_crud.tx_id}, in queue order, decoded as
   * {@link #firstQueuedRows} decodes them.
   *
   * @param handle the connection
   * @return the rows; empty if the queue is empty
   */
  List<QueuedRow> firstTransactionRows(Handle handle);

  /**
   * One {@code ps_crud} row as a dialect decoded it; the store checks it. Immutable and
   * thread-safe.
   *
   * @param sequence {@code ps_crud.id}
   * @param transactionId {@code ps_crud.tx_id}, null for SQL NULL
   * @param decoded whether {@code data} is the text of a JSON object; when false, the members
   *     below are null
   * @param operation the {@code "op"} member if it is a string, else null
   * @param table the {@code "type"} member if it is a string, else null
   * @param rowId the {@code "id"} member if it is a string (a number as its text), else null
   * @param dataJson the {@code "data"} member as JSON text beginning with its first character
   *     ({@code {}} for an object), or null when the member is absent or JSON {@code null}
   */
  record QueuedRow(long sequence, Long transactionId, boolean decoded, String operation,
      String table, String rowId, String dataJson) {}

  /**
   * Starts telling {@code listener} how each transaction on this connection ends, also one the
   * caller began and commits or rolls back itself: how a store joined to a caller's transaction
   * runs its completion callbacks when the caller ends it. Called once, for a store on a caller's
   * connection. The listener may be told on any thread that ends a transaction on the connection,
   * while the database is ending it; it must not use the connection.
   *
   * @param handle the caller's connection
   * @param listener told {@code true} after a commit, {@code false} after a rollback
   * @return what stops the telling, or empty if the database cannot tell (the default): the store
   *     then runs the callbacks at the end of its own outermost call, as committed
   */
  default Optional<AutoCloseable> watchTransactionEnds(Handle handle, TransactionEndListener listener) {
    return Optional.empty();
  }

  /**
   * Told how a transaction on a connection ended; see {@link #watchTransactionEnds}.
   * Implementations must be thread-safe: any thread that ends a transaction may tell them.
   */
  @FunctionalInterface
  interface TransactionEndListener {
    /** @param committed true after a commit, false after a rollback */
    void ended(boolean committed);
  }

  /**
   * The sequence of the latest write ever queued: never lower than any {@code ps_crud} id that
   * existed, also after deletes and clears (SQLite: the {@code AUTOINCREMENT} high-water mark).
   *
   * @param handle the connection
   * @return the sequence, 0 if no write was ever queued
   */
  long lastQueueSequence(Handle handle);

  /** @return the number of queued writes, as column 1 */
  default String queueSize() {
    return "SELECT count(*) FROM ps_crud";
  }

  /** @return 1 if a write is queued, else 0 (as column 1) */
  default String queueHasWrites() {
    return "SELECT EXISTS (SELECT 1 FROM ps_crud)";
  }

  /** @return deletes the queued writes with {@code id <= :sequence} */
  default String deleteQueuedThrough() {
    return "DELETE FROM ps_crud WHERE id <= :sequence";
  }

  /** @return deletes every queued write */
  default String deleteQueue() {
    return "DELETE FROM ps_crud";
  }

  /**
   * Takes a {@code ps_tx} transaction id for the writes of one store transaction, as PowerSync
   * groups its uploads: {@code next_tx} of row 1, or 1 when the row is missing or {@code next_tx}
   * is not an integer in {@code 1..MAX-1}; stores that id plus one as {@code next_tx}, with
   * {@code current_tx} NULL as the reference core leaves it between writes, creating the row if
   * needed. The default is SQLite's, one statement.
   *
   * @param handle the connection
   * @return the transaction id
   */
  default long takeTransactionId(Handle handle) {
    return DirectStatements.queryLong(handle,
            "INSERT INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 2)"
            + " ON CONFLICT(id) DO UPDATE SET current_tx = NULL, next_tx = CASE"
            + " WHEN typeof(next_tx) = 'integer' AND next_tx BETWEEN 1 AND 9223372036854775806"
            + " THEN next_tx + 1 ELSE 2 END"
            + " RETURNING next_tx - 1")
        .orElseThrow();
  }

  /**
   * Undoes {@link #takeTransactionId} when the write it was taken for was refused, so that refused
   * input changes nothing: {@code next_tx} of row 1 becomes {@code txId} again.
   *
   * @param handle the connection
   * @param txId the id {@link #takeTransactionId} returned in this transaction
   */
  default void giveBackTransactionId(Handle handle, long txId) {
    handle.createUpdate("UPDATE ps_tx SET next_tx = :txId WHERE id = 1").bind("txId", txId).execute();
  }

  /** @return the highest id of per-user sequence {@code :user} (a user key), as column 1 */
  default String selectUserSequence() {
    return "SELECT last_request_id FROM " + USER_SEQUENCE_TABLE + " WHERE user_key = :user";
  }

  /**
   * @return raises per-user sequence {@code :user} to {@code :id}, creating it if needed and never
   *     lowering it
   */
  String raiseUserSequence();

  /** @return deletes per-user sequence {@code :user} */
  default String deleteUserSequence() {
    return "DELETE FROM " + USER_SEQUENCE_TABLE + " WHERE user_key = :user";
  }

  /** @return the number of per-user sequences, as column 1 */
  default String countUserSequences() {
    return "SELECT count(*) FROM " + USER_SEQUENCE_TABLE;
  }

  /**
   * The rest of {@code powersync_clear(flags)}, as the reference core 0.5.3 does it, on whichever
   * PowerSync tables exist (a database this library created has none of them): a hard clear
   * empties {@code ps_oplog} and {@code ps_buckets}, a soft clear (bit 0x02) keeps both and resets
   * {@code ps_buckets.last_applied_op}; both empty {@code ps_untyped}, {@code ps_updated_rows},
   * {@code ps_sync_state}, {@code ps_stream_subscriptions} and every {@code ps_data__*} table, and
   * with bit 0x01 every {@code ps_data_*} table. Tables are emptied, never dropped.
   *
   * @param handle the connection, inside the clear's transaction
   * @param flags the clear flags
   */
  default void clearDownloadedData(Handle handle, ClearFlags flags) {
    Map<String, String> tables = new TreeMap<>();
    for (String stored : tableNames(handle)) {
      tables.put(canonicalTableName(stored), stored);
    }
    List<String> emptied = new ArrayList<>();
    if (flags.isSoft()) {
      Optional.ofNullable(tables.get("ps_buckets")).ifPresent(
          table -> handle.execute("UPDATE " + quoteIdentifier(table) + " SET last_applied_op = 0"));
    } else {
      emptied.addAll(List.of("ps_oplog", "ps_buckets"));
    }
    emptied.addAll(List.of("ps_untyped", "ps_updated_rows", "ps_sync_state", "ps_stream_subscriptions"));
    String dataPrefix = (flags.bits() & 0x01) != 0 ? "ps_data_" : "ps_data__";
    tables.keySet().stream().filter(name -> name.startsWith(dataPrefix)).forEach(emptied::add);
    for (String name : emptied) {
      String table = tables.get(name);
      if (table != null) {
        handle.execute("DELETE FROM " + quoteIdentifier(table));
      }
    }
  }

  /**
   * @param handle the connection
   * @return the names of the base tables of the current schema, as the database stores them
   */
  List<String> tableNames(Handle handle);

  /**
   * @param stored a table name as the database stores it
   * @return the name to compare with PowerSync's lower-case table names; the default keeps it as
   *     is, so that the comparison is as case-sensitive as the reference's on SQLite
   */
  default String canonicalTableName(String stored) {
    return stored;
  }

  /**
   * @param identifier a name
   * @return the name as a quoted SQL identifier
   */
  static String quoteIdentifier(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}

package io.checkpoints.adapter.sqlite;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.checkpoints.adapter.jdbc.DirectStatements;
import io.checkpoints.adapter.jdbc.SqlDialect;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.LocalWrite;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.DB;

/**
 * SQLite, on the PowerSync database format. Stateless and thread-safe.
 *
 * <p>A new file gets the schema of a PowerSync database at version 14 ({@link PowerSyncSchema}),
 * plus the per-user sequence table; a PowerSync database gets the per-user table. Local writes
 * arm the gate through a TEMP trigger, which exists only on this library's connections: see
 * {@code docs/sqlite.md} for why.
 */
final class SqliteDialect implements SqlDialect {

  static final SqliteDialect INSTANCE = new SqliteDialect();

  static final String ARMING_TRIGGER = "checkpoints_local_write_arms_gate";
  static final String INSERT_ONLY_TABLES = "checkpoints_insert_only_tables";
  static final String ARMING_PAUSED = "checkpoints_arming_paused";

  /**
   * Whether the gate is armed exactly as arming leaves it: the target is the integer {@code MAX}
   * and neither last seen nor last applied exists, so that arming would change nothing. One range
   * scan of the key index, not one lookup per key: {@code last_applied...} and {@code last_seen...}
   * sort before {@code target...}, so the first key of the range (the counter skipped) is the
   * target only when both are absent. Any other key in the range makes it false, which only costs
   * an arming that changes nothing. Measured in a trigger on 1,000 inserts, two lookups cost about
   * twice the whole trigger's overhead, this scan about as much as a single lookup.
   */
  private static final String GATE_ARMED = "((SELECT key = 'target_checkpoint_request_id'"
      + " AND value = 9223372036854775807 AND typeof(value) = 'integer' FROM ps_kv"
      + " WHERE key >= 'last_applied_checkpoint_request_id' AND key <= 'target_checkpoint_request_id'"
      + " AND key <> 'last_requested_checkpoint_request_id' ORDER BY key LIMIT 1) IS 1)";

  /**
   * Whether the arming trigger arms for the new row (unless the gate is armed already): arming not
   * paused and the row's JSON {@code type} not a table declared insert-only. Evaluated after the
   * armed check, so the usual write (the gate armed) reads neither TEMP table nor its JSON.
   */
  private static final String ARMS_GATE_FOR_NEW_ROW = "NOT EXISTS (SELECT 1 FROM temp." + ARMING_PAUSED + ")\n"
      + "  AND NOT EXISTS (SELECT 1 FROM temp." + INSERT_ONLY_TABLES + " WHERE name ="
      + " CASE WHEN json_valid(NEW.data) THEN json_extract(NEW.data, '$.type') END)";

  private static final List<String> ARMING = List.of(
      "CREATE TEMP TABLE IF NOT EXISTS " + INSERT_ONLY_TABLES + "(name TEXT PRIMARY KEY NOT NULL)",
      "CREATE TEMP TABLE IF NOT EXISTS " + ARMING_PAUSED + "(paused INTEGER NOT NULL)",
      // The same two statements the reference core runs natively in its powersync_crud table,
      // but for every write that enters ps_crud on this connection, not only the first of a
      // transaction, and whichever way it came in. A write that finds the gate armed skips them:
      // they would leave every row as it is, and reading the keys costs a fraction of writing
      // them (1,000 writes in one transaction arm once, see docs/performance.md). The check reads
      // the state, not the transaction, so whatever changed the keys in between (a rollback, a
      // savepoint, a checkpoint applied between two writes) makes the next write arm again.
      "CREATE TEMP TRIGGER IF NOT EXISTS " + ARMING_TRIGGER + " AFTER INSERT ON ps_crud\n"
          + "WHEN NOT " + GATE_ARMED + "\n"
          + "  AND " + ARMS_GATE_FOR_NEW_ROW + "\n"
          + "BEGIN\n"
          + "  INSERT OR REPLACE INTO ps_kv(key, value)"
          + " VALUES ('target_checkpoint_request_id', 9223372036854775807);\n"
          + "  DELETE FROM ps_kv"
          + " WHERE key IN ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id');\n"
          + "END");

  private static final String INSTALLED_ARMING = "SELECT count(*) FROM sqlite_temp_master"
      + " WHERE name IN ('" + ARMING_TRIGGER + "', '" + INSERT_ONLY_TABLES + "', '" + ARMING_PAUSED + "')";

  /**
   * The queue insert, only for data that is a JSON object (CASE, not AND: SQLite may evaluate
   * json_type first, which fails on malformed JSON), returning the new id, which
   * {@code AUTOINCREMENT} makes the new high-water mark and so the write's sequence, and whether
   * the gate is armed. That reads the state itself, so it is right whatever the trigger did (armed,
   * found armed, paused, a table declared insert-only for SQL, dropped by hand) and whether SQLite
   * computes {@code RETURNING} before or after the trigger runs: it can only say "not armed" too
   * often, and then the domain arms, which changes nothing. It replaces a check of the trigger's
   * existence and conditions in the TEMP schema, which cost more than the insert's JSON.
   */
  private static final String INSERT_QUEUED_WRITE = "INSERT INTO ps_crud(data, tx_id)"
      + " SELECT json_object('op', ?1, 'id', ?2, 'type', ?3, 'data', json(?4)), ?5"
      + " WHERE CASE WHEN json_valid(?4) THEN json_type(?4) = 'object' ELSE 0 END"
      + " RETURNING id, " + GATE_ARMED;

  /**
   * The index of the first write of a batch ({@link #chunks}) whose data is not the text of
   * a JSON object, by the same test as {@link #INSERT_QUEUED_WRITE}'s, or -1: a batch is checked
   * whole before any of it is queued, so that a refused batch writes nothing.
   */
  private static final String FIRST_NOT_AN_OBJECT = "SELECT coalesce(min(key), -1) FROM json_each(?1)"
      + " WHERE NOT CASE WHEN json_valid(value ->> 3) THEN json_type(value ->> 3) = 'object' ELSE 0 END";

  /**
   * {@link #INSERT_QUEUED_WRITE} for every write of a batch in one statement: the same
   * {@code json_object} of the same texts (JSON strings decode to exactly the Java strings
   * {@link #chunks} encoded), so the rows are byte for byte the single insert's. In the
   * batch's order; {@code RETURNING} gives the ids in no defined order, so they are sorted.
   */
  private static final String INSERT_QUEUED_WRITES = "INSERT INTO ps_crud(data, tx_id)"
      + " SELECT json_object('op', value ->> 0, 'id', value ->> 1, 'type', value ->> 2,"
      + " 'data', json(value ->> 3)), ?2 FROM json_each(?1) ORDER BY key RETURNING id";

  private static final String SELECT_GATE_ARMED = "SELECT " + GATE_ARMED;

  /**
   * The most characters of one batch statement's JSON array; a larger batch takes several
   * statements. Far below SQLite's default limit of a text (10^9 bytes), at up to three bytes of
   * UTF-8 per character.
   */
  private static final int MAX_ARRAY_CHARS = 1 << 24;

  /**
   * The columns of {@link SqlDialect.QueuedRow}, decoded by SQLite: {@code data} is checked to be
   * a JSON object before any member is extracted (CASE evaluates in order; a malformed text would
   * make json_extract fail), and {@code ->} gives the data member as compact JSON text.
   */
  private static final String QUEUED_ROW_COLUMNS = "SELECT id, tx_id,"
      + " CASE WHEN json_valid(data) THEN json_type(data) = 'object' ELSE 0 END,"
      + inObject("CASE WHEN json_type(data, '$.op') = 'text' THEN data ->> '$.op' END") + ","
      + inObject("CASE WHEN json_type(data, '$.type') = 'text' THEN data ->> '$.type' END") + ","
      + inObject("CASE WHEN json_type(data, '$.id') IN ('text', 'integer')"
          + " THEN CAST(data ->> '$.id' AS TEXT) END") + ","
      + inObject("CASE WHEN json_type(data, '$.data') <> 'null' THEN data -> '$.data' END")
      + " FROM ps_crud";

  /** {@code expression} where {@code data} is a JSON object, else NULL; nested CASE keeps the order. */
  private static String inObject(String expression) {
    return " CASE WHEN json_valid(data) THEN CASE WHEN json_type(data) = 'object' THEN "
        + expression + " END END";
  }

  private static final String FIRST_QUEUED_ROWS = QUEUED_ROW_COLUMNS + " ORDER BY id LIMIT :limit";

  private static final String FIRST_TRANSACTION_ROWS = QUEUED_ROW_COLUMNS
      + " WHERE tx_id = (SELECT min(tx_id) FROM ps_crud) ORDER BY id";

  private SqliteDialect() {}

  @Override
  public List<QueuedRow> firstQueuedRows(Handle handle, int limit) {
    return handle.createQuery(FIRST_QUEUED_ROWS).bind("limit", limit).map((rs, ctx) -> queuedRow(rs)).list();
  }

  @Override
  public List<QueuedRow> firstTransactionRows(Handle handle) {
    return handle.createQuery(FIRST_TRANSACTION_ROWS).map((rs, ctx) -> queuedRow(rs)).list();
  }

  private static QueuedRow queuedRow(java.sql.ResultSet rs) throws SQLException {
    long txId = rs.getLong(2);
    Long transactionId = rs.wasNull() ? null : txId;
    return new QueuedRow(rs.getLong(1), transactionId, rs.getBoolean(3), rs.getString(4),
        rs.getString(5), rs.getString(6), rs.getString(7));
  }

  /**
   * sqlite-jdbc's commit and rollback hooks ({@code sqlite3_commit_hook},
   * {@code sqlite3_rollback_hook}) on the caller's connection. The commit hook runs while SQLite
   * commits, on the committing thread: the store's callbacks run there, and must not use the
   * connection.
   */
  @Override
  public Optional<AutoCloseable> watchTransactionEnds(Handle handle, TransactionEndListener listener) {
    DB database;
    try {
      Connection connection = handle.getConnection();
      if (!connection.isWrapperFor(SQLiteConnection.class)) {
        return Optional.empty();
      }
      database = connection.unwrap(SQLiteConnection.class).getDatabase();
    } catch (SQLException e) {
      throw storageFailure("could not reach the connection's database", e);
    }
    SQLiteCommitListener hook = new SQLiteCommitListener() {
      @Override
      public void onCommit() {
        listener.ended(true);
      }

      @Override
      public void onRollback() {
        listener.ended(false);
      }
    };
    database.addCommitListener(hook);
    return Optional.of(() -> database.removeCommitListener(hook));
  }

  /**
   * An upsert that leaves the row alone when it already holds the value (same type and value;
   * {@code ps_kv.value} has no affinity, so 42 and '42' differ): rewriting it would dirty its
   * page and make the commit write it, where the reference core writes nothing for a seed or
   * target that does not change the value (measured: {@code docs/performance.md}).
   */
  @Override
  public String upsertValue() {
    return "INSERT INTO ps_kv(key, value) VALUES (:key, :value)"
        + " ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value";
  }

  @Override
  public Optional<String> incrementCounter() {
    // A REAL, TEXT or MAX counter is left alone, so that the domain's checks report it.
    return Optional.of("UPDATE ps_kv SET value = value + 1"
        + " WHERE key = 'last_requested_checkpoint_request_id'"
        + " AND typeof(value) = 'integer' AND value < 9223372036854775807 RETURNING value");
  }

  @Override
  public String name() {
    return "SQLite";
  }

  @Override
  public void prepareOwnedConnection(Handle handle) {
    // SqliteConnections configured the connection when it opened it (WAL, busy timeout, sync).
  }

  @Override
  public boolean isInTransaction(Handle handle) {
    try {
      if (SqliteControlFunctions.runsInTransaction(handle.getConnection())) {
        return true; // the SQL function calling the store has just asked SQLite
      }
      return isInTransaction(handle.getConnection());
    } catch (SQLException e) {
      throw new CheckpointStorageException(
          "SQLite checkpoint store: could not inspect the connection's transaction: " + e.getMessage(), e);
    }
  }

  /**
   * Whether SQLite is outside autocommit mode on this connection. sqlite-jdbc does not expose
   * {@code sqlite3_get_autocommit}, so this asks SQLite itself: {@code BEGIN} fails inside a
   * transaction and, outside one, starts a deferred transaction (taking no lock) that is
   * rolled back at once.
   */
  static boolean isInTransaction(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      try {
        statement.execute("BEGIN");
      } catch (SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("within a transaction")) {
          return true;
        }
        throw e;
      }
      statement.execute("ROLLBACK");
      return false;
    }
  }

  // Savepoints run on every operation a store joins to a caller's transaction (every call of a
  // SQL function): directly, from the kept statements, without Jdbi's per-statement work.
  @Override
  public void savepoint(Handle handle, String name) {
    DirectStatements.execute(handle, "SAVEPOINT " + name);
  }

  @Override
  public void releaseSavepoint(Handle handle, String name) {
    DirectStatements.execute(handle, "RELEASE SAVEPOINT " + name);
  }

  @Override
  public void rollbackToSavepoint(Handle handle, String name) {
    DirectStatements.execute(handle, "ROLLBACK TO SAVEPOINT " + name);
    DirectStatements.execute(handle, "RELEASE SAVEPOINT " + name);
  }

  @Override
  public String beginWriteTransaction() {
    // IMMEDIATE takes the write lock now, inside the busy timeout, so that a transaction that
    // reads and then writes can never fail with SQLITE_BUSY on its first write.
    return "BEGIN IMMEDIATE";
  }

  @Override
  public void ensureSchema(Handle handle) {
    // Decided again inside the store's transaction: the file may have changed since it was
    // looked at before opening.
    SqliteDatabaseFile contents;
    try {
      contents = SqliteDatabaseFile.of(null, handle.getConnection());
    } catch (SQLException e) {
      throw storageFailure("could not read the schema", e);
    }
    if (contents.isNew()) {
      PowerSyncSchema.create(handle);
    } else {
      contents.requireUsableByStore(SqliteStoreOptions.defaults());
      handle.execute(PowerSyncSchema.USER_SEQUENCE);
    }
  }

  @Override
  public void installLocalWriteArming(Handle handle, Set<String> insertOnlyTables) {
    // Checked at every operation on a caller's connection: directly, from the kept statements.
    long installed = DirectStatements.queryLong(handle, INSTALLED_ARMING).orElse(0);
    if (installed < 3) {
      for (String statement : ARMING) {
        handle.execute(statement);
      }
    }
    if (installed < 3 || !insertOnlyTables.isEmpty()) {
      for (String table : insertOnlyTables) {
        handle.createUpdate("INSERT OR IGNORE INTO temp." + INSERT_ONLY_TABLES + "(name) VALUES (:name)")
            .bind("name", table)
            .execute();
      }
    }
  }

  @Override
  public Optional<QueuedWrite> insertQueuedWrite(Handle handle, LocalWrite write, long txId) {
    return DirectStatements.queryRow(handle, INSERT_QUEUED_WRITE,
        row -> new QueuedWrite(row.getLong(1), row.getBoolean(2)),
        write.operation().name(), write.rowId(), write.table(), write.dataJson(), txId);
  }

  /**
   * Two statements per chunk of the batch (the check, then the insert) instead of one per write,
   * so that sqlite-jdbc's work per statement (it reads the column names on every query) is paid
   * once, and one read of the gate after them. The arming trigger stays active: the first row arms,
   * and every later row finds the gate armed, as one write after another would.
   */
  @Override
  public Optional<QueuedWrites> insertQueuedWrites(
      Handle handle, List<LocalWrite> writes, LongSupplier txId) {
    List<Chunk> chunks = chunks(writes);
    if (chunks.isEmpty()) {
      return Optional.empty();
    }
    int offset = 0;
    for (Chunk chunk : chunks) {
      long refused = DirectStatements.queryLong(handle, FIRST_NOT_AN_OBJECT, chunk.array()).orElse(-1);
      if (refused >= 0) {
        return Optional.of(new QueuedWrites(offset + (int) refused, List.of(), false));
      }
      offset += chunk.size();
    }
    long transaction = txId.getAsLong();
    List<Long> sequences = new ArrayList<>(writes.size());
    for (Chunk chunk : chunks) {
      long[] ids = DirectStatements.queryLongs(handle, INSERT_QUEUED_WRITES, chunk.array(), transaction);
      Arrays.sort(ids);
      for (long id : ids) {
        sequences.add(id);
      }
    }
    if (sequences.size() != writes.size()) {
      throw new CheckpointStorageException("SQLite checkpoint store: a batch of " + writes.size()
          + " writes queued " + sequences.size() + " rows");
    }
    boolean armed = DirectStatements.queryLong(handle, SELECT_GATE_ARMED).orElse(0) == 1;
    return Optional.of(new QueuedWrites(-1, sequences, armed));
  }

  /** Part of a batch as a JSON array {@code [[op, id, type, data], ...]} of strings. */
  private record Chunk(String array, int size) {}

  /**
   * The writes as chunks, a new one begun once one exceeds {@link #MAX_ARRAY_CHARS}; empty if a
   * write holds a NUL character, whose handling inside SQLite's JSON functions could differ from a
   * bound text's, so such a batch goes one write at a time.
   */
  private static List<Chunk> chunks(List<LocalWrite> writes) {
    List<Chunk> chunks = new ArrayList<>(1);
    StringBuilder array = new StringBuilder(writes.size() * 64);
    int size = 0;
    for (LocalWrite write : writes) {
      if (size > 0 && array.length() > MAX_ARRAY_CHARS) {
        chunks.add(new Chunk(array.append(']').toString(), size));
        array.setLength(0);
        size = 0;
      }
      array.append(size == 0 ? "[[" : ",[");
      boolean encoded = appendString(array, write.operation().name())
          && appendString(array.append(','), write.rowId())
          && appendString(array.append(','), write.table())
          && appendString(array.append(','), write.dataJson());
      if (!encoded) {
        return List.of();
      }
      array.append(']');
      size++;
    }
    if (size > 0) {
      chunks.add(new Chunk(array.append(']').toString(), size));
    }
    return chunks;
  }

  /** Appends a JSON string (Jackson's escaping); false, appending nothing, if the text holds a NUL. */
  private static boolean appendString(StringBuilder out, String text) {
    if (text.indexOf(0) >= 0) {
      return false;
    }
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    out.append('"');
    return true;
  }

  @Override
  public void pauseLocalWriteArming(Handle handle, boolean paused) {
    handle.execute(paused
        ? "INSERT INTO temp." + ARMING_PAUSED + "(paused) VALUES (1)"
        : "DELETE FROM temp." + ARMING_PAUSED);
  }

  @Override
  public long lastQueueSequence(Handle handle) {
    // AUTOINCREMENT keeps the high-water mark in sqlite_sequence across deletes and clears.
    return handle.createQuery("SELECT max("
            + "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'ps_crud'), 0),"
            + " coalesce((SELECT max(id) FROM ps_crud), 0))")
        .mapTo(Long.class)
        .one();
  }

  @Override
  public String raiseUserSequence() {
    return "INSERT INTO " + USER_SEQUENCE_TABLE + "(user_key, last_request_id) VALUES (:user, :id)"
        + " ON CONFLICT(user_key) DO UPDATE SET"
        + " last_request_id = max(last_request_id, excluded.last_request_id)";
  }

  @Override
  public List<String> tableNames(Handle handle) {
    return handle.createQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .mapTo(String.class)
        .list();
  }

  /** Translates a failure of a statement run outside {@code JdbcCheckpointStore}. */
  static CheckpointStorageException storageFailure(String what, Exception e) {
    Throwable cause = e instanceof JdbiException && e.getCause() != null ? e.getCause() : e;
    return new CheckpointStorageException("SQLite: " + what + ": " + cause.getMessage(), e);
  }
}

package io.checkpoints.adapter.sqlite;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.adapter.jdbc.JdbcCheckpointStore;
import io.checkpoints.ports.CheckpointStorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * The checkpoint store on a SQLite database in the PowerSync format: the checkpoint keys of
 * {@code ps_kv}, the upload queue {@code ps_crud}, and the per-user sequence table
 * {@code checkpoint_user_sequence}, which clear never touches.
 *
 * <p><b>Which database.</b> An existing PowerSync database at schema version 14 (created by the
 * reference core or an SDK) is used as it is; the store only adds its per-user sequence table. A
 * database at version 13 is refused unless {@link SqliteStoreOptions#withLegacySchemaMigration}
 * asks to migrate it ({@link SqliteMigrations}); other versions are refused. A missing or empty
 * file becomes a PowerSync database at version 14, exactly as the reference core's
 * {@code powersync_init} makes one, plus the per-user sequence table, so the reference core and
 * the PowerSync SDKs open it. Any other file (another application's database, a file of this
 * library's earlier version, tables of another shape) is refused with a
 * {@link SqliteFileRefusedException} before anything is written to it: it stays byte for byte as
 * it was ({@link SqliteDatabaseFile}).
 *
 * <p><b>Transactions.</b> {@link #open} gives the store a connection of its own: WAL journal, a
 * busy timeout, and {@code BEGIN IMMEDIATE} for every transaction, so a concurrent writer makes a
 * transaction wait at its start instead of failing with {@code SQLITE_BUSY} later; stores on one
 * file in one JVM also queue on a shared lock. {@link #join} works on the caller's connection
 * instead: if that connection has an open transaction, each operation joins it in a savepoint (the
 * caller commits or rolls back; a failing operation is undone without aborting the caller's
 * transaction), else the store begins and commits its own {@code BEGIN IMMEDIATE} transaction.
 * <b>A caller's transaction should begin with {@code BEGIN IMMEDIATE}</b>: in a deferred
 * transaction that has already read, SQLite answers the first write with {@code SQLITE_BUSY}
 * whenever another connection wrote in between, and no busy timeout can hide that from the caller.
 *
 * <p><b>Local writes arm the gate</b> on this store's connection whichever way they enter
 * {@code ps_crud}: through {@link io.checkpoints.ports.UploadQueue#enqueue} (the domain arms it
 * unless the write is insert-only) or by SQL (a TEMP trigger, present only on connections this
 * library uses, arms it unless the table is declared insert-only in the options). Connections of
 * the reference core or an SDK keep the reference's behaviour. See {@code docs/sqlite.md}.
 *
 * <p><b>Completion callbacks</b> ({@link io.checkpoints.ports.CheckpointTransaction#afterCompletion})
 * run after the store's own transactions end and, for a store joined to a caller's open
 * transaction, when the caller commits or rolls back: sqlite-jdbc's commit and rollback hooks
 * tell the store, and the callbacks run on the thread that ends the transaction, while SQLite
 * ends it (they must not use that connection). After {@link #close()} every transaction fails with
 * a {@link io.checkpoints.ports.CheckpointStateException} of reason {@code STORE_CLOSED}. Closing a
 * joined store leaves the caller's connection open, and its TEMP trigger too, which keeps arming
 * the gate for SQL writes until the connection closes.
 *
 * <p>Thread-safe: transactions are serialised on the store's connection, and the transactions a
 * store begins itself (not those it joins) queue on one lock per database file in this JVM. A
 * joined store must be used on the thread that uses the caller's connection, as any JDBC
 * connection.
 */
public final class SqliteCheckpointStore extends JdbcBackedStore {

  /** One writer lock per database file, shared by the stores on it in this JVM. */
  private static final ConcurrentMap<Path, ReentrantLock> WRITER_LOCKS = new ConcurrentHashMap<>();

  private SqliteCheckpointStore(JdbcCheckpointStore delegate, Path file) {
    super(delegate, file, file != null ? file.toString() : "caller's connection");
  }

  /**
   * Opens the database file with the default options, creating it if it is missing.
   *
   * @param file the database file; its directory must exist
   * @return the store; close it to close its connection
   * @throws io.checkpoints.ports.CheckpointArgumentException if the path is a directory
   * @throws SqliteFileRefusedException if the file is not one a store may use (see the class
   *     documentation); it is unchanged
   * @throws CheckpointStorageException if the file cannot be opened
   */
  public static SqliteCheckpointStore open(Path file) {
    return open(file, SqliteStoreOptions.defaults());
  }

  /**
   * Opens the database file, creating it if it is missing.
   *
   * @param file the database file; its directory must exist
   * @param options how to open and use it
   * @return the store; close it to close its connection
   * @throws io.checkpoints.ports.CheckpointArgumentException if the path is a directory
   * @throws SqliteFileRefusedException if the file is not one a store may use (see the class
   *     documentation; 13 is migrated if the options ask for it); it is unchanged
   * @throws CheckpointStorageException if the file cannot be opened
   */
  public static SqliteCheckpointStore open(Path file, SqliteStoreOptions options) {
    // Read-only first: a file the store refuses is left exactly as it was.
    Connection connection = SqliteConnections.openForStore(file, options);
    AtomicReference<Path> realFile = new AtomicReference<>();
    JdbcCheckpointStore delegate = openOwned(connection, handle -> {
      // The file exists now (opening created a missing one), so it has a real path.
      realFile.set(realPath(file));
      checkSchemaVersion(handle, file.toString(), options);
      return configure(handle, options).writerLock(writerLock(realFile.get()));
    });
    return new SqliteCheckpointStore(delegate, realFile.get());
  }

  private static Path realPath(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      throw new CheckpointStorageException("SQLite: could not resolve " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Works on the caller's sqlite-jdbc connection with the default options (see the class
   * documentation for how its transactions are joined). Creates the missing tables and the TEMP
   * arming trigger on the connection, inside its open transaction if it has one: if that
   * transaction rolls back, the store installs the trigger again at its next operation, but SQL
   * writes in between do not arm the gate, so join outside a transaction or commit it.
   *
   * @param connection the caller's connection; the store never closes it
   * @return the store
   * @throws SqliteFileRefusedException if the database is not one a store may use (see the class
   *     documentation); nothing is written to it
   * @throws CheckpointStorageException if the database cannot be read
   */
  public static SqliteCheckpointStore join(Connection connection) {
    return join(connection, SqliteStoreOptions.defaults());
  }

  /**
   * As {@link #join(Connection)}, with options; the busy timeout and {@code synchronous} setting
   * of the options apply only to connections the store opens, not to the caller's.
   *
   * @param connection the caller's connection; the store never closes it
   * @param options the client id, insert-only tables and legacy migration to use
   * @return the store
   * @throws CheckpointStorageException as {@link #join(Connection)}
   */
  public static SqliteCheckpointStore join(Connection connection, SqliteStoreOptions options) {
    Objects.requireNonNull(connection, "connection");
    // Jdbi.create(Connection) never closes the connection, and the handle is never closed either:
    // closing a handle can roll back a JDBC transaction that is open at that moment. The handle is
    // the store's own, so it keeps its prepared statements there (closed when the store closes):
    // a SQL function calling the store once per statement then prepares nothing per call.
    return join(Jdbi.create(connection).open(), options, true);
  }

  /**
   * As {@link #join(Connection, SqliteStoreOptions)}, on the caller's Jdbi handle.
   *
   * @param handle the caller's handle on a sqlite-jdbc connection; the store never closes it
   * @param options the client id, insert-only tables and legacy migration to use
   * @return the store
   * @throws CheckpointStorageException as {@link #join(Connection)}
   */
  public static SqliteCheckpointStore join(Handle handle, SqliteStoreOptions options) {
    return join(handle, options, false);
  }

  private static SqliteCheckpointStore join(Handle handle, SqliteStoreOptions options,
      boolean ownHandle) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(options, "options");
    try {
      SqliteMigrations.inTransaction(handle, () -> {
        checkSchemaVersion(handle, databaseFile(handle).map(Path::toString).orElse(null), options);
        return null;
      });
    } catch (JdbiException e) {
      throw SqliteDialect.storageFailure("could not read the schema version", e);
    }
    JdbcCheckpointStore.Builder builder = configure(handle, options);
    // When it begins transactions of its own, a joined store queues with the other stores on
    // the same file in this JVM too.
    databaseFile(handle).ifPresent(file -> builder.writerLock(writerLock(file)));
    if (ownHandle) {
      builder.keepStatements();
    }
    return new SqliteCheckpointStore(builder.open(), null);
  }

  /** The file of the connection's main database, if it has one (not in-memory or temporary). */
  private static Optional<Path> databaseFile(Handle handle) {
    try {
      return handle.createQuery("SELECT file FROM pragma_database_list WHERE name = 'main'")
          .mapTo(String.class)
          .findOne()
          .filter(file -> !file.isEmpty())
          .map(Path::of)
          .filter(java.nio.file.Files::exists)
          .map(SqliteCheckpointStore::realPath);
    } catch (JdbiException e) {
      throw SqliteDialect.storageFailure("could not read the database file name", e);
    }
  }

  private static ReentrantLock writerLock(Path realFile) {
    return WRITER_LOCKS.computeIfAbsent(realFile, f -> new ReentrantLock(true));
  }

  private static JdbcCheckpointStore.Builder configure(Handle handle, SqliteStoreOptions options) {
    return options.applyTo(JdbcCheckpointStore.builder(handle, SqliteDialect.INSTANCE));
  }

  /**
   * Refuses what a store must not use (see {@link SqliteDatabaseFile}); migrates version 13 if
   * the options ask for it. A new database has no version yet: the store's first transaction
   * creates it.
   */
  private static void checkSchemaVersion(Handle handle, String name, SqliteStoreOptions options) {
    SqliteDatabaseFile contents;
    try {
      contents = SqliteDatabaseFile.of(name, handle.getConnection());
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not read the schema", e);
    }
    contents.requireUsableByStore(options);
    if (contents.schemaVersion().orElse(SqliteMigrations.CURRENT_VERSION)
        == SqliteMigrations.LEGACY_VERSION) {
      SqliteMigrations.inTransaction(handle,
          () -> SqliteMigrations.migrate(handle, SqliteMigrations.CURRENT_VERSION));
    }
  }

}

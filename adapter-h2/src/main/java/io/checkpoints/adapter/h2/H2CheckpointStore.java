package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.adapter.jdbc.JdbcCheckpointStore;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointStorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * The checkpoint store on an H2 database, embedded in a file or in memory: the checkpoint keys of
 * {@code ps_kv}, the upload queue {@code ps_crud}, and the per-user sequence table
 * {@code checkpoint_user_sequence}, which clear never touches, with the same names, keys and
 * behaviour as the SQLite adapter.
 *
 * <p><b>Which database.</b> A missing file or an empty database gets the tables this library needs;
 * an existing one is used as it is if its tables have the expected columns, else it is refused.
 * Creating tables is DDL, which H2 commits at once, so it happens when the store opens (or joins a
 * connection outside a transaction), never inside a transaction.
 *
 * <p><b>Transactions.</b> {@link #open} and {@link #openInMemory} give the store a connection of its
 * own; every transaction begins by locking one row ({@code checkpoints_crud_sequence}), so that
 * write transactions of all connections queue there, at most for the lock timeout of the
 * options, instead of interleaving their read-modify-writes. {@link #join} works on the caller's
 * connection instead: with auto-commit off, each operation joins the caller's transaction in a
 * savepoint and takes the same row lock, which the caller's commit or rollback releases; with
 * auto-commit on, the store begins and commits its own transaction.
 *
 * <p><b>Local writes arm the gate</b> whichever way they enter {@code ps_crud}: through
 * {@link io.checkpoints.ports.UploadQueue#enqueue} (the domain arms it unless the write is
 * insert-only) or by SQL on any connection (a Java trigger in the database arms it unless the table
 * is declared insert-only). The trigger's class is part of this adapter's jar: a database file
 * opened without the jar refuses inserts into {@code ps_crud} (and nothing else). See
 * {@code docs/h2.md} for why.
 *
 * <p><b>Completion callbacks</b> ({@link io.checkpoints.ports.CheckpointTransaction#afterCompletion})
 * are exact in the store's own transactions. <b>Limitation:</b> in a caller's open transaction
 * ({@link #join}, auto-commit off) nothing in H2 can observe the caller's commit or rollback (no
 * commit hook, statement-level triggers only), so the callbacks run at the end of the store's own
 * outermost call, told {@code true} (or {@code false} if that call failed and was undone to its
 * savepoint), even if the caller later rolls back. See {@code docs/h2.md}.
 *
 * <p>After {@link #close()} every transaction fails with a
 * {@link io.checkpoints.ports.CheckpointStateException} of reason {@code STORE_CLOSED}. Closing the
 * last connection of an in-memory database discards it. {@link #file()} is H2's database file
 * ({@code ... .mv.db}) of a store opened on a file.
 *
 * <p>Thread-safe: transactions are serialised on the store's connection. A joined store must be
 * used on the thread that uses the caller's connection, as any JDBC connection.
 */
public final class H2CheckpointStore extends JdbcBackedStore {

  /**
   * Schema creation checks, then creates: two stores opening one fresh database in this JVM at
   * once must not both insert the first rows.
   */
  private static final Object SCHEMA_LOCK = new Object();

  private H2CheckpointStore(JdbcCheckpointStore delegate, Path file, String description) {
    super(delegate, file, description);
  }

  /**
   * Opens the embedded database file with the default options, creating it if it is missing.
   *
   * @param file the database file; {@code app.db} stands for H2's file {@code app.db.mv.db}, and
   *     a name ending with {@code .mv.db} for itself (see {@link H2Connections})
   * @return the store; close it to close its connection
   * @throws CheckpointArgumentException if the path cannot be used for an H2 database
   * @throws CheckpointStorageException if the database cannot be opened (for example another
   *     process has it open) or has tables of another shape
   */
  public static H2CheckpointStore open(Path file) {
    return open(file, H2StoreOptions.defaults());
  }

  /**
   * Opens the embedded database file, creating it if it is missing.
   *
   * @param file the database file, as for {@link #open(Path)}
   * @param options how to open and use it
   * @return the store; close it to close its connection
   * @throws CheckpointArgumentException if the path cannot be used for an H2 database
   * @throws CheckpointStorageException as {@link #open(Path)}
   */
  public static H2CheckpointStore open(Path file, H2StoreOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    Path databaseFile = H2Connections.databaseFile(file);
    return owned(H2Connections.open(file, options), options, databaseFile, databaseFile.toString());
  }

  /**
   * Opens the named in-memory database of this JVM with a connection of its own, creating it if no
   * connection has it open. Other connections (and stores) reach it by name while any is open;
   * closing the last one discards it.
   *
   * @param name letters, digits, {@code _}, {@code .} and {@code -}
   * @param options how to use it
   * @return the store; close it to close its connection
   * @throws CheckpointArgumentException if the name has other characters
   * @throws CheckpointStorageException if the database has tables of another shape
   */
  public static H2CheckpointStore openInMemory(String name, H2StoreOptions options) {
    Objects.requireNonNull(options, "options");
    return owned(H2Connections.openInMemory(name, options), options, null, "mem:" + name);
  }

  /**
   * Opens a private in-memory database that only this store reaches; closing the store discards
   * it. For tests and short-lived state.
   *
   * @param options how to use it
   * @return the store; close it to discard the database
   */
  public static H2CheckpointStore openInMemory(H2StoreOptions options) {
    Objects.requireNonNull(options, "options");
    return owned(H2Connections.openPrivateInMemory(options), options, null, "private in-memory database");
  }

  /**
   * As {@link #openInMemory(H2StoreOptions)} with the default options.
   *
   * @return the store; close it to discard the database
   */
  public static H2CheckpointStore openInMemory() {
    return openInMemory(H2StoreOptions.defaults());
  }

  private static H2CheckpointStore owned(
      Connection connection, H2StoreOptions options, Path file, String description) {
    JdbcCheckpointStore delegate = openOwned(connection, handle -> {
      prepareSchema(handle, connection);
      return configure(handle, options);
    });
    return new H2CheckpointStore(delegate, file, description);
  }

  /**
   * Works on the caller's H2 connection with the default options (see the class documentation
   * for how its transactions are joined).
   *
   * @param connection the caller's connection; the store never closes it
   * @return the store
   * @throws CheckpointArgumentException if the connection is not an H2 connection
   * @throws CheckpointStorageException if the database has tables of another shape, or has no
   *     checkpoint tables yet while the connection is inside a transaction
   */
  public static H2CheckpointStore join(Connection connection) {
    return join(connection, H2StoreOptions.defaults());
  }

  /**
   * As {@link #join(Connection)}, with options; the lock timeout of the options applies only to
   * connections the store opens, not to the caller's.
   *
   * @param connection the caller's connection; the store never closes it
   * @param options the client id and insert-only tables to use
   * @return the store
   * @throws CheckpointArgumentException as {@link #join(Connection)}
   * @throws CheckpointStorageException as {@link #join(Connection)}
   */
  public static H2CheckpointStore join(Connection connection, H2StoreOptions options) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(options, "options");
    requireH2(connection);
    // Jdbi.create(Connection) never closes the connection, and the handle is never closed either:
    // closing a handle can roll back a JDBC transaction that is open at that moment.
    Handle handle = Jdbi.create(connection).open();
    prepareSchema(handle, connection);
    return new H2CheckpointStore(configure(handle, options).open(), null, "caller's connection");
  }

  private static void requireH2(Connection connection) {
    String product;
    try {
      product = connection.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw H2Dialect.storageFailure("could not inspect the connection", e);
    }
    if (!"H2".equals(product)) {
      throw new CheckpointArgumentException(
          "the H2 checkpoint store needs an H2 connection, got one to " + product);
    }
  }

  /** Creates what is missing, outside any transaction, since H2 commits around each DDL statement. */
  private static void prepareSchema(Handle handle, Connection connection) {
    try {
      synchronized (SCHEMA_LOCK) {
        if (H2Dialect.schemaComplete(handle)) {
          return;
        }
        if (!connection.getAutoCommit()) {
          throw new CheckpointStorageException("H2: the database has no checkpoint tables yet, and"
              + " creating them would commit the caller's open transaction (H2 commits around each"
              + " CREATE); join it outside a transaction once, or open it with H2CheckpointStore.open");
        }
        H2Dialect.createSchema(handle);
      }
    } catch (JdbiException e) {
      throw H2Dialect.storageFailure("could not create the checkpoint tables", e);
    } catch (SQLException e) {
      throw H2Dialect.storageFailure("could not inspect the connection", e);
    }
  }

  private static JdbcCheckpointStore.Builder configure(Handle handle, H2StoreOptions options) {
    return options.applyTo(JdbcCheckpointStore.builder(handle, H2Dialect.INSTANCE));
  }

}

package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The part every public SQL store (SQLite, H2) has in common: it hands its transactions to a
 * {@link JdbcCheckpointStore}, knows the database file it opened (if any), and closes what it
 * owns. A database adapter extends it with only what differs: how it opens, joins and checks its
 * database.
 *
 * <p>Thread-safe as its {@link JdbcCheckpointStore}: transactions are serialised on the store's
 * connection. A store joined to a caller's connection must be used on the thread that uses that
 * connection, as any JDBC connection.
 */
public abstract class JdbcBackedStore implements CheckpointStore, AutoCloseable {

  private final JdbcCheckpointStore delegate;
  private final Path file;
  private final String description;

  /**
   * @param delegate the opened store that runs every transaction
   * @param file the database file the store opened, or null for an in-memory database or a
   *     caller's connection
   * @param description what {@link #toString()} names, for example the file or
   *     {@code "caller's connection"}
   */
  protected JdbcBackedStore(JdbcCheckpointStore delegate, Path file, String description) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.file = file;
    this.description = Objects.requireNonNull(description, "description");
  }

  /**
   * Opens a store on a connection the adapter opened for it: the store then owns both the
   * connection and the Jdbi handle on it, and closes them when it closes. If anything fails before
   * the store is open, the handle and the connection are closed here (close failures are added to
   * the thrown exception as suppressed ones).
   *
   * @param connection the connection the adapter opened; closed if this method fails
   * @param configure checks the database on the new handle and returns the builder to open (the
   *     adapter's dialect and options applied)
   * @return the open store, owning the connection
   * @throws RuntimeException whatever {@code configure} or the builder's {@code open} throws, for
   *     example a {@link io.checkpoints.ports.CheckpointStorageException}
   */
  protected static JdbcCheckpointStore openOwned(
      Connection connection, Function<Handle, JdbcCheckpointStore.Builder> configure) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(configure, "configure");
    Handle handle = null;
    try {
      handle = Jdbi.create(connection).open();
      Handle owned = handle;
      return configure.apply(handle)
          .ownedBy(() -> {
            owned.close();
            connection.close();
          })
          .open();
    } catch (RuntimeException e) {
      if (handle != null) {
        Closing.closeAfter(e, handle);
      }
      Closing.closeAfter(e, connection);
      throw e;
    }
  }

  @Override
  public final <T> T inTransaction(TransactionWork<T> work) {
    return delegate.inTransaction(work);
  }

  /**
   * @return the database file the store opened; empty for an in-memory database or a store joined
   *     to a caller's connection
   */
  public final Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** @return whether this store opened its own connection (else it works on a caller's) */
  public final boolean ownsConnection() {
    return delegate.ownsConnection();
  }

  /**
   * Closes the store's own connection; a joined caller's connection stays open. Every transaction
   * after this fails with a {@link io.checkpoints.ports.CheckpointStateException} of reason
   * {@code STORE_CLOSED}.
   *
   * @throws io.checkpoints.ports.CheckpointStorageException if the connection could not be closed
   */
  @Override
  public final void close() {
    delegate.close();
  }

  /** @return the store's class and what it works on, for example its file */
  @Override
  public final String toString() {
    return getClass().getSimpleName() + "[" + description + "]";
  }
}

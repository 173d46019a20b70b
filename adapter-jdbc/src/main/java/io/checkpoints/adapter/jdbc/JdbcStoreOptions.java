package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The options every SQL store shares: how long a connection the store opened waits for another
 * writer, the client id to store in a database that has none, and the declared insert-only tables.
 * A database adapter extends it with its own options and the name of its wait (SQLite's busy
 * timeout, H2's lock timeout).
 *
 * <p>Immutable and thread-safe: each {@code with...} method returns a copy, made by
 * {@link #copy}, which a subclass implements keeping its own options.
 *
 * @param <O> the adapter's own options type, which every {@code with...} method returns
 */
public abstract class JdbcStoreOptions<O extends JdbcStoreOptions<O>> {

  /** The wait of a new options object: 30 seconds. */
  protected static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(30);

  private final Duration waitTimeout;
  private final ClientId clientIdIfAbsent;
  private final Set<String> insertOnlyTables;

  /**
   * @param waitTimeout how long a connection the store opened waits for another writer
   * @param clientIdIfAbsent the client id for a database that has none, or null for a random one
   * @param insertOnlyTables the declared insert-only tables, already checked
   */
  protected JdbcStoreOptions(Duration waitTimeout, ClientId clientIdIfAbsent, Set<String> insertOnlyTables) {
    this.waitTimeout = Objects.requireNonNull(waitTimeout, "waitTimeout");
    this.clientIdIfAbsent = clientIdIfAbsent;
    this.insertOnlyTables = Objects.requireNonNull(insertOnlyTables, "insertOnlyTables");
  }

  /**
   * A copy with these shared options and this object's own (adapter-specific) ones.
   *
   * @param waitTimeout the wait, already checked
   * @param clientIdIfAbsent the client id, or null
   * @param insertOnlyTables the insert-only tables, already checked
   * @return the copy
   */
  protected abstract O copy(Duration waitTimeout, ClientId clientIdIfAbsent, Set<String> insertOnlyTables);

  /**
   * @param timeoutName how the adapter calls the wait in messages, for example {@code "busy timeout"}
   * @param timeout at least 1 ms and at most {@link Integer#MAX_VALUE} ms
   * @return a copy with that wait
   * @throws CheckpointArgumentException if the timeout is out of range
   */
  protected final O withWaitTimeout(String timeoutName, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new CheckpointArgumentException("the " + timeoutName + " must be between 1 ms and "
          + Integer.MAX_VALUE + " ms, got " + timeout);
    }
    return copy(timeout, clientIdIfAbsent, insertOnlyTables);
  }

  /** @return how long a connection the store opened waits for another writer */
  protected final Duration waitTimeout() {
    return waitTimeout;
  }

  /**
   * @param clientId the client id to store when the database has none (a fresh one); an existing
   *     client id is never changed
   * @return a copy with that client id
   */
  public final O withClientIdIfAbsent(ClientId clientId) {
    return copy(waitTimeout, Objects.requireNonNull(clientId, "clientId"), insertOnlyTables);
  }

  /**
   * Declares PowerSync tables insert-only for writes that enter {@code ps_crud} by SQL (for example
   * from the host's own view triggers): such writes do not arm the gate, as in the reference core.
   * Through the Java API, declare a write insert-only with {@link
   * io.checkpoints.ports.LocalWrite#asInsertOnly()} instead.
   *
   * @param tables the table names, as the {@code type} member of the queued write's JSON
   * @return a copy that declares these tables in addition to those already declared
   * @throws CheckpointArgumentException if a name is null or blank
   */
  public final O withInsertOnlyTables(String... tables) {
    return withInsertOnlyTables(Arrays.asList(Objects.requireNonNull(tables, "tables")));
  }

  /**
   * @param tables as {@link #withInsertOnlyTables(String...)}
   * @return a copy that declares these tables in addition to those already declared
   * @throws CheckpointArgumentException if a name is null or blank
   */
  public final O withInsertOnlyTables(Collection<String> tables) {
    return copy(waitTimeout, clientIdIfAbsent, InsertOnlyTables.union(insertOnlyTables, tables));
  }

  /** @return the client id stored when the database has none, or empty for a random one */
  public final Optional<ClientId> clientIdIfAbsent() {
    return Optional.ofNullable(clientIdIfAbsent);
  }

  /** @return the declared insert-only tables */
  public final Set<String> insertOnlyTables() {
    return insertOnlyTables;
  }

  /**
   * Applies the shared options (insert-only tables, client id) to a store about to open.
   *
   * @param builder the builder of the store
   * @return the same builder
   */
  public final JdbcCheckpointStore.Builder applyTo(JdbcCheckpointStore.Builder builder) {
    builder.insertOnlyTables(insertOnlyTables);
    clientIdIfAbsent().ifPresent(builder::clientIdIfAbsent);
    return builder;
  }
}

package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.InsertOnlyTables;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How an {@link H2CheckpointStore} opens and uses its database. Immutable and thread-safe: each
 * {@code with...} method returns a copy.
 *
 * <p>Defaults: a lock timeout of 30 seconds, a random client id for a database that has none, and
 * no insert-only tables.
 */
public final class H2StoreOptions {

  private static final H2StoreOptions DEFAULTS =
      new H2StoreOptions(Duration.ofSeconds(30), null, Set.of());

  private final Duration lockTimeout;
  private final ClientId clientIdIfAbsent;
  private final Set<String> insertOnlyTables;

  private H2StoreOptions(Duration lockTimeout, ClientId clientIdIfAbsent, Set<String> insertOnlyTables) {
    this.lockTimeout = lockTimeout;
    this.clientIdIfAbsent = clientIdIfAbsent;
    this.insertOnlyTables = insertOnlyTables;
  }

  /** @return the default options */
  public static H2StoreOptions defaults() {
    return DEFAULTS;
  }

  /**
   * How long a connection the store opened waits for a row lock that another transaction holds
   * (H2's {@code LOCK_TIMEOUT}) before its statement fails. Every write transaction of a store
   * first locks one row, so this bounds how long it waits for the others; a caller's connection
   * keeps its own setting.
   *
   * @param timeout at least 1 ms and at most {@link Integer#MAX_VALUE} ms
   * @return a copy with that timeout
   * @throws CheckpointArgumentException if the timeout is out of range
   */
  public H2StoreOptions withLockTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new CheckpointArgumentException("the lock timeout must be between 1 ms and "
          + Integer.MAX_VALUE + " ms, got " + timeout);
    }
    return new H2StoreOptions(timeout, clientIdIfAbsent, insertOnlyTables);
  }

  /**
   * @param clientId the client id to store when the database has none (a fresh one); an existing
   *     client id is never changed
   * @return a copy with that client id
   */
  public H2StoreOptions withClientIdIfAbsent(ClientId clientId) {
    return new H2StoreOptions(lockTimeout, Objects.requireNonNull(clientId, "clientId"),
        insertOnlyTables);
  }

  /**
   * Declares PowerSync tables insert-only for writes that enter {@code ps_crud} by SQL: such
   * writes do not arm the gate. The declaration is stored in the database (table
   * {@code checkpoints_insert_only_tables}) when the store opens, because the arming trigger serves
   * every connection; it adds to the tables declared before. Through the Java API, declare a write
   * insert-only with {@link io.checkpoints.ports.LocalWrite#asInsertOnly()} instead.
   *
   * @param tables the table names, as the {@code type} member of the queued write's JSON
   * @return a copy that declares these tables in addition to those already declared
   * @throws CheckpointArgumentException if a name is null or blank
   */
  public H2StoreOptions withInsertOnlyTables(String... tables) {
    return withInsertOnlyTables(Arrays.asList(Objects.requireNonNull(tables, "tables")));
  }

  /**
   * @param tables as {@link #withInsertOnlyTables(String...)}
   * @return a copy that declares these tables in addition to those already declared
   * @throws CheckpointArgumentException if a name is null or blank
   */
  public H2StoreOptions withInsertOnlyTables(Collection<String> tables) {
    return new H2StoreOptions(lockTimeout, clientIdIfAbsent, InsertOnlyTables.union(insertOnlyTables, tables));
  }

  /** @return the lock timeout of connections the store opens */
  public Duration lockTimeout() {
    return lockTimeout;
  }

  /** @return the client id stored when the database has none, or empty for a random one */
  public Optional<ClientId> clientIdIfAbsent() {
    return Optional.ofNullable(clientIdIfAbsent);
  }

  /** @return the declared insert-only tables */
  public Set<String> insertOnlyTables() {
    return insertOnlyTables;
  }

  @Override
  public String toString() {
    return "H2StoreOptions[lockTimeout=" + lockTimeout + ", clientIdIfAbsent=" + clientIdIfAbsent
        + ", insertOnlyTables=" + insertOnlyTables + "]";
  }
}

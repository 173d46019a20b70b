package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.JdbcStoreOptions;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import java.time.Duration;
import java.util.Set;

/**
 * How an {@link H2CheckpointStore} opens and uses its database. Immutable and thread-safe: each
 * {@code with...} method returns a copy.
 *
 * <p>Defaults: a lock timeout of 30 seconds, a random client id for a database that has none, and
 * no insert-only tables. The client id and insert-only tables are the options every SQL store
 * shares ({@link JdbcStoreOptions}). In H2, the declared insert-only tables are stored in the
 * database (table {@code checkpoints_insert_only_tables}) when the store opens, because the arming
 * trigger serves every connection; they add to the tables declared before.
 */
public final class H2StoreOptions extends JdbcStoreOptions<H2StoreOptions> {

  private static final H2StoreOptions DEFAULTS =
      new H2StoreOptions(DEFAULT_WAIT_TIMEOUT, null, Set.of());

  private H2StoreOptions(Duration lockTimeout, ClientId clientIdIfAbsent, Set<String> insertOnlyTables) {
    super(lockTimeout, clientIdIfAbsent, insertOnlyTables);
  }

  /** @return the default options */
  public static H2StoreOptions defaults() {
    return DEFAULTS;
  }

  @Override
  protected H2StoreOptions copy(Duration lockTimeout, ClientId clientIdIfAbsent,
      Set<String> insertOnlyTables) {
    return new H2StoreOptions(lockTimeout, clientIdIfAbsent, insertOnlyTables);
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
    return withWaitTimeout("lock timeout", timeout);
  }

  /** @return the lock timeout of connections the store opens */
  public Duration lockTimeout() {
    return waitTimeout();
  }

  @Override
  public String toString() {
    return "H2StoreOptions[lockTimeout=" + lockTimeout() + ", clientIdIfAbsent="
        + clientIdIfAbsent().orElse(null) + ", insertOnlyTables=" + insertOnlyTables() + "]";
  }
}

package io.checkpoints.adapter.sqlite;

import io.checkpoints.adapter.jdbc.JdbcStoreOptions;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link SqliteCheckpointStore} opens and uses its database. Immutable and thread-safe: each
 * {@code with...} method returns a copy.
 *
 * <p>Defaults: a busy timeout of 30 seconds, {@code synchronous=NORMAL} (what PowerSync SDKs use
 * with WAL), a random client id for a database that has none, no insert-only tables, and no
 * automatic migration of a schema version 13 database. The client id and insert-only tables are
 * the options every SQL store shares ({@link JdbcStoreOptions}).
 */
public final class SqliteStoreOptions extends JdbcStoreOptions<SqliteStoreOptions> {

  /**
   * SQLite's {@code synchronous} setting for connections the store opens; the journal is WAL.
   * Immutable and thread-safe.
   */
  public enum Synchronous {
    /**
     * A commit survives a crash of the process (the SIGKILL test), not necessarily a power loss,
     * which may roll back the latest commits but never corrupts the file. PowerSync SDKs use it.
     */
    NORMAL,
    /** A commit is on disk when it returns, at the cost of one sync per commit. */
    FULL
  }

  private static final SqliteStoreOptions DEFAULTS = new SqliteStoreOptions(
      DEFAULT_WAIT_TIMEOUT, null, Set.of(), Synchronous.NORMAL, false);

  private final Synchronous synchronous;
  private final boolean migrateLegacySchema;

  private SqliteStoreOptions(Duration busyTimeout, ClientId clientIdIfAbsent,
      Set<String> insertOnlyTables, Synchronous synchronous, boolean migrateLegacySchema) {
    super(busyTimeout, clientIdIfAbsent, insertOnlyTables);
    this.synchronous = synchronous;
    this.migrateLegacySchema = migrateLegacySchema;
  }

  /** @return the default options */
  public static SqliteStoreOptions defaults() {
    return DEFAULTS;
  }

  @Override
  protected SqliteStoreOptions copy(Duration busyTimeout, ClientId clientIdIfAbsent,
      Set<String> insertOnlyTables) {
    return new SqliteStoreOptions(busyTimeout, clientIdIfAbsent, insertOnlyTables, synchronous,
        migrateLegacySchema);
  }

  /**
   * How long a connection the store opened waits for another connection's write lock before it
   * gives up with {@code SQLITE_BUSY}. Writers of one file inside one JVM queue on a lock of their
   * own first, so this only bounds waiting for other processes.
   *
   * @param timeout at least 1 ms and at most {@link Integer#MAX_VALUE} ms
   * @return a copy with that timeout
   * @throws CheckpointArgumentException if the timeout is out of range
   */
  public SqliteStoreOptions withBusyTimeout(Duration timeout) {
    return withWaitTimeout("busy timeout", timeout);
  }

  /**
   * @param synchronous the {@code synchronous} setting of connections the store opens
   * @return a copy with that setting
   */
  public SqliteStoreOptions withSynchronous(Synchronous synchronous) {
    return new SqliteStoreOptions(busyTimeout(), clientIdIfAbsent().orElse(null), insertOnlyTables(),
        Objects.requireNonNull(synchronous, "synchronous"), migrateLegacySchema);
  }

  /**
   * By default a store refuses a PowerSync database at schema version 13, whose gate lives in
   * {@code ps_buckets.$local}; with this option it migrates it to 14 when it opens it, as the
   * reference core's {@code powersync_init()} would.
   *
   * @param migrate whether to migrate a version 13 database when opening it
   * @return a copy with that setting
   */
  public SqliteStoreOptions withLegacySchemaMigration(boolean migrate) {
    return new SqliteStoreOptions(busyTimeout(), clientIdIfAbsent().orElse(null), insertOnlyTables(),
        synchronous, migrate);
  }

  /** @return the busy timeout */
  public Duration busyTimeout() {
    return waitTimeout();
  }

  /** @return the {@code synchronous} setting */
  public Synchronous synchronous() {
    return synchronous;
  }

  /** @return whether a schema version 13 database is migrated when opened */
  public boolean migratesLegacySchema() {
    return migrateLegacySchema;
  }

  @Override
  public String toString() {
    return "SqliteStoreOptions[busyTimeout=" + busyTimeout() + ", synchronous=" + synchronous
        + ", clientIdIfAbsent=" + clientIdIfAbsent().orElse(null)
        + ", insertOnlyTables=" + insertOnlyTables()
        + ", migrateLegacySchema=" + migrateLegacySchema + "]";
  }
}

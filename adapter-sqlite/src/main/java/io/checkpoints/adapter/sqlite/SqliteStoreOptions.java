package io.checkpoints.adapter.sqlite;

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
 * How a {@link SqliteCheckpointStore} opens and uses its database. Immutable and thread-safe: each
 * {@code with...} method returns a copy.
 *
 * <p>Defaults: a busy timeout of 30 seconds, {@code synchronous=NORMAL} (what PowerSync SDKs use
 * with WAL), a random client id for a database that has none, no insert-only tables, and no
 * automatic migration of a schema version 13 database.
 */
public final class SqliteStoreOptions {

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
      Duration.ofSeconds(30), Synchronous.NORMAL, null, Set.of(), false);

  private final Duration busyTimeout;
  private final Synchronous synchronous;
  private final ClientId clientIdIfAbsent;
  private final Set<String> insertOnlyTables;
  private final boolean migrateLegacySchema;

  private SqliteStoreOptions(Duration busyTimeout, Synchronous synchronous, ClientId clientIdIfAbsent,
      Set<String> insertOnlyTables, boolean migrateLegacySchema) {
    this.busyTimeout = busyTimeout;
    this.synchronous = synchronous;
    this.clientIdIfAbsent = clientIdIfAbsent;
    this.insertOnlyTables = insertOnlyTables;
    this.migrateLegacySchema = migrateLegacySchema;
  }

  /** @return the default options */
  public static SqliteStoreOptions defaults() {
    return DEFAULTS;
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
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new CheckpointArgumentException("the busy timeout must be between 1 ms and "
          + Integer.MAX_VALUE + " ms, got " + timeout);
    }
    return new SqliteStoreOptions(timeout, synchronous, clientIdIfAbsent, insertOnlyTables,
        migrateLegacySchema);
  }

  /**
   * @param synchronous the {@code synchronous} setting of connections the store opens
   * @return a copy with that setting
   */
  public SqliteStoreOptions withSynchronous(Synchronous synchronous) {
    return new SqliteStoreOptions(busyTimeout, Objects.requireNonNull(synchronous, "synchronous"),
        clientIdIfAbsent, insertOnlyTables, migrateLegacySchema);
  }

  /**
   * @param clientId the client id to store when the database has none (a fresh file); an existing
   *     client id is never changed
   * @return a copy with that client id
   */
  public SqliteStoreOptions withClientIdIfAbsent(ClientId clientId) {
    return new SqliteStoreOptions(busyTimeout, synchronous,
        Objects.requireNonNull(clientId, "clientId"), insertOnlyTables, migrateLegacySchema);
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
  public SqliteStoreOptions withInsertOnlyTables(String... tables) {
    return withInsertOnlyTables(Arrays.asList(Objects.requireNonNull(tables, "tables")));
  }

  /**
   * @param tables as {@link #withInsertOnlyTables(String...)}
   * @return a copy that declares these tables in addition to those already declared
   * @throws CheckpointArgumentException if a name is null or blank
   */
  public SqliteStoreOptions withInsertOnlyTables(Collection<String> tables) {
    return new SqliteStoreOptions(busyTimeout, synchronous, clientIdIfAbsent,
        InsertOnlyTables.union(insertOnlyTables, tables), migrateLegacySchema);
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
    return new SqliteStoreOptions(busyTimeout, synchronous, clientIdIfAbsent, insertOnlyTables,
        migrate);
  }

  /** @return the busy timeout */
  public Duration busyTimeout() {
    return busyTimeout;
  }

  /** @return the {@code synchronous} setting */
  public Synchronous synchronous() {
    return synchronous;
  }

  /** @return the client id stored when the database has none, or empty for a random one */
  public Optional<ClientId> clientIdIfAbsent() {
    return Optional.ofNullable(clientIdIfAbsent);
  }

  /** @return the declared insert-only tables */
  public Set<String> insertOnlyTables() {
    return insertOnlyTables;
  }

  /** @return whether a schema version 13 database is migrated when opened */
  public boolean migratesLegacySchema() {
    return migrateLegacySchema;
  }

  @Override
  public String toString() {
    return "SqliteStoreOptions[busyTimeout=" + busyTimeout + ", synchronous=" + synchronous
        + ", clientIdIfAbsent=" + clientIdIfAbsent + ", insertOnlyTables=" + insertOnlyTables
        + ", migrateLegacySchema=" + migrateLegacySchema + "]";
  }
}

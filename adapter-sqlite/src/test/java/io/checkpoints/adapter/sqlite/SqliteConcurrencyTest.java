package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.JdbcCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent allocation on one database file: 4 threads x 1,000 ids through one seeded client, and
 * 4 seeded clients on connections of their own, each in its own thread. Every id is unique, each
 * thread sees its ids increase, the counter ends at the last id, and no SQLITE_BUSY (or any other
 * error) reaches a caller.
 */
class SqliteConcurrencyTest {

  private static final int THREADS = 4;
  private static final int PER_THREAD = 1_000;
  private static final long SEED = 100;

  @TempDir Path directory;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("4 threads x 1,000 allocations through one seeded client")
  void threadsShareOneClient() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("one.db"))) {
      SyncClient client = seededClient(store);
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(thread -> client, PER_THREAD);
      report("one client, 4 threads", started, PER_THREAD);
      assertUniqueAndIncreasing(ids, PER_THREAD);
      assertThat(Reads.counter(store)).contains(CheckpointRequestId.of(SEED + THREADS * PER_THREAD));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("4 seeded clients, each on a store with its own connection to one file")
  void clientsOnTheirOwnConnections() throws Exception {
    Path file = directory.resolve("shared.db");
    List<SqliteCheckpointStore> stores = new ArrayList<>();
    try {
      List<SyncClient> clients = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        SqliteCheckpointStore store = SqliteCheckpointStore.open(file);
        stores.add(store);
        clients.add(seededClient(store));
      }
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(clients::get, PER_THREAD);
      report("4 clients, own stores", started, PER_THREAD);
      assertUniqueAndIncreasing(ids, PER_THREAD);
      assertThat(Reads.counter(stores.get(0))).contains(CheckpointRequestId.of(SEED + THREADS * PER_THREAD));
    } finally {
      stores.forEach(SqliteCheckpointStore::close);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("4 seeded clients on callers' connections to one file")
  void clientsOnCallersConnections() throws Exception {
    Path file = directory.resolve("joined.db");
    List<Connection> connections = new ArrayList<>();
    try {
      List<SyncClient> clients = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        connections.add(connection);
        clients.add(seededClient(SqliteCheckpointStore.join(connection)));
      }
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(clients::get, PER_THREAD);
      report("4 clients, callers' connections", started, PER_THREAD);
      assertUniqueAndIncreasing(ids, PER_THREAD);
    } finally {
      for (Connection connection : connections) {
        connection.close();
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("4 clients whose stores share no JVM lock, as in separate processes: the busy timeout keeps them apart")
  void clientsWithoutAJvmLock() throws Exception {
    // Fewer ids: SQLite's busy handler polls with sleeps of 1 ms and more, which is slow by design.
    int perThread = 250;
    Path file = directory.resolve("unlocked.db");
    List<Connection> connections = new ArrayList<>();
    List<JdbcCheckpointStore> stores = new ArrayList<>();
    try {
      List<SyncClient> clients = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        connections.add(connection);
        JdbcCheckpointStore store = JdbcCheckpointStore
            .builder(Jdbi.create(connection).open(), SqliteDialect.INSTANCE)
            .ownedBy(connection)
            .open();
        stores.add(store);
        clients.add(seededClient(store));
      }
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(clients::get, perThread);
      report("4 clients, no JVM lock (busy timeout only)", started, perThread);
      assertUniqueAndIncreasing(ids, perThread);
    } finally {
      stores.forEach(JdbcCheckpointStore::close);
    }
  }

  private static SyncClient seededClient(CheckpointStore store) {
    SyncClient client = SyncClient.create(store);
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(CheckpointRequestId.of(SEED));
    return client;
  }

  /** Each thread allocates PER_THREAD ids through its client; returns each thread's ids in order. */
  private static List<List<Long>> allocate(IntFunction<SyncClient> clientOfThread, int perThread)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SyncClient client = clientOfThread.apply(t);
        futures.add(pool.submit(() -> {
          start.await();
          List<Long> ids = new ArrayList<>(perThread);
          for (int i = 0; i < perThread; i++) {
            ids.add(client.sequence().next().value());
          }
          return ids;
        }));
      }
      start.countDown();
      List<List<Long>> all = new ArrayList<>();
      for (Future<List<Long>> future : futures) {
        all.add(future.get(60, TimeUnit.SECONDS)); // an exception here (SQLITE_BUSY...) fails the test
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertUniqueAndIncreasing(List<List<Long>> ids, int perThread) {
    Set<Long> all = new HashSet<>();
    for (List<Long> thread : ids) {
      assertThat(thread).hasSize(perThread).isSorted().doesNotHaveDuplicates();
      all.addAll(thread);
    }
    assertThat(all).hasSize(THREADS * perThread);
    assertThat(all.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(SEED + 1);
    assertThat(all.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(SEED + THREADS * perThread);
  }

  private static void report(String what, long startedNanos, int perThread) {
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    System.out.printf("concurrency: %s: %d ids in %d ms (%.0f ids/s)%n",
        what, THREADS * perThread, millis, THREADS * perThread * 1000.0 / Math.max(1, millis));
  }
}

package io.checkpoints.adapter.jdbc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent allocation on one database file of a SQL store: 4 threads x 1,000 ids through one
 * seeded client, and 4 seeded clients on connections of their own (stores', callers'), each in its
 * own thread. Every id is unique, each thread sees its ids increase, the counter ends at the last
 * id, and no busy or lock-timeout error (or any other) reaches a caller. A subclass names the
 * adapter and adds the cases only its database has.
 */
public abstract class SqlConcurrencyContract {

  protected static final int THREADS = 4;
  protected static final int PER_THREAD = 1_000;
  protected static final long SEED = 100;

  @TempDir protected Path directory;

  /** @return the adapter under test */
  protected abstract SqlStores stores();

  /** How one thread allocates one id. */
  @FunctionalInterface
  protected interface Allocation {
    long next() throws Exception;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("4 threads x 1,000 allocations through one seeded client")
  void threadsShareOneClient() throws Exception {
    try (JdbcBackedStore store = stores().open(directory.resolve("one.db"))) {
      SyncClient client = seededClient(store);
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(thread -> () -> client.sequence().next().value(), PER_THREAD);
      report("one client, 4 threads", started, PER_THREAD);
      assertUniqueAndIncreasing(ids, PER_THREAD);
      assertThat(Reads.counter(store)).contains(CheckpointRequestId.of(SEED + THREADS * PER_THREAD));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("4 seeded clients, each on a store with its own connection to one file")
  void clientsOnTheirOwnConnections() throws Exception {
    List<JdbcBackedStore> stores = new ArrayList<>();
    try {
      for (int i = 0; i < THREADS; i++) {
        stores.add(stores().open(directory.resolve("shared.db")));
      }
      assertAllocatesUniqueIds("4 clients, own stores on a file", stores);
    } finally {
      stores.forEach(JdbcBackedStore::close);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("4 seeded clients on callers' connections to one file, in auto-commit mode")
  void clientsOnCallersConnections() throws Exception {
    List<Connection> connections = new ArrayList<>();
    try {
      List<JdbcBackedStore> stores = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Connection connection = stores().connect(directory.resolve("joined.db"));
        connections.add(connection);
        stores.add(stores().join(connection));
      }
      assertAllocatesUniqueIds("4 clients, callers' connections", stores);
    } finally {
      for (Connection connection : connections) {
        connection.close();
      }
    }
  }

  /**
   * Seeds a client on each store, allocates {@link #PER_THREAD} ids through each in a thread of its
   * own, and checks them and the counter the first store reads.
   */
  protected static void assertAllocatesUniqueIds(String what, List<? extends CheckpointStore> stores)
      throws Exception {
    List<SyncClient> clients = new ArrayList<>();
    for (CheckpointStore store : stores) {
      clients.add(seededClient(store));
    }
    long started = System.nanoTime();
    List<List<Long>> ids = allocate(thread -> () -> clients.get(thread).sequence().next().value(), PER_THREAD);
    report(what, started, PER_THREAD);
    assertUniqueAndIncreasing(ids, PER_THREAD);
    assertThat(Reads.counter(stores.get(0))).contains(CheckpointRequestId.of(SEED + THREADS * PER_THREAD));
  }

  /** @return a started client whose sequence is seeded at {@link #SEED} */
  protected static SyncClient seededClient(CheckpointStore store) {
    SyncClient client = SyncClient.create(store);
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(CheckpointRequestId.of(SEED));
    return client;
  }

  /** Each of {@link #THREADS} threads allocates {@code perThread} ids; returns each thread's ids in order. */
  protected static List<List<Long>> allocate(IntFunction<Allocation> allocationOfThread, int perThread)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Allocation allocation = allocationOfThread.apply(t);
        futures.add(pool.submit(() -> {
          start.await();
          List<Long> ids = new ArrayList<>(perThread);
          for (int i = 0; i < perThread; i++) {
            ids.add(allocation.next());
          }
          return ids;
        }));
      }
      start.countDown();
      List<List<Long>> all = new ArrayList<>();
      for (Future<List<Long>> future : futures) {
        all.add(future.get(100, TimeUnit.SECONDS)); // an exception here (busy, lock timeout...) fails the test
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every id once, each thread's increasing, from {@code SEED + 1} to the last id. */
  protected static void assertUniqueAndIncreasing(List<List<Long>> ids, int perThread) {
    Set<Long> all = new HashSet<>();
    for (List<Long> thread : ids) {
      assertThat(thread).hasSize(perThread).isSorted().doesNotHaveDuplicates();
      all.addAll(thread);
    }
    assertThat(all).hasSize(THREADS * perThread);
    assertThat(all.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(SEED + 1);
    assertThat(all.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isEqualTo(SEED + THREADS * perThread);
  }

  protected static void report(String what, long startedNanos, int perThread) {
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    System.out.printf("concurrency: %s: %d ids in %d ms (%.0f ids/s)%n",
        what, THREADS * perThread, millis, THREADS * perThread * 1000.0 / Math.max(1, millis));
  }
}

package io.checkpoints.interop;

import co.touchlab.kermit.LogWriter;
import co.touchlab.kermit.Logger;
import co.touchlab.kermit.Severity;
import co.touchlab.kermit.StaticConfig;
import com.powersync.DatabaseDriverFactory;
import com.powersync.PowerSyncDatabase;
import com.powersync.PowerSyncDatabaseFactoryKt;
import com.powersync.db.schema.Column;
import com.powersync.db.schema.Schema;
import com.powersync.db.schema.Table;
import com.powersync.sync.SyncOptions;
import com.powersync.sync.SyncStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import kotlin.coroutines.Continuation;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlin.jvm.functions.Function2;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.CoroutineScope;
import kotlinx.coroutines.GlobalScope;

/**
 * The PowerSync Kotlin SDK seen from Java: one database with a {@code todos} table (columns
 * {@code title} and {@code status}, text), suspend functions called through {@code runBlocking},
 * and the SDK's warnings collected for failure messages. Public for the end-to-end benchmark
 * (benchmarks module, through this module's test-jar). Not thread-safe apart from {@link
 * #status()} and the queries, which the SDK serializes itself.
 */
public final class Sdk implements AutoCloseable {

  static final Schema SCHEMA = new Schema(List.of(new Table("todos",
      List.of(Column.Companion.text("title"), Column.Companion.text("status")), List.of(),
      false, false, null, false, null, false)));

  /** How long the SDK must stay idle before a test writes; see {@link #awaitSettled}. */
  static final Duration SETTLE = Duration.ofMillis(300);

  /** How long any wait on the SDK may take before the test fails. */
  static final Duration DEADLINE = Duration.ofSeconds(20);

  final PowerSyncDatabase database;
  final Path file;
  final Queue<String> warnings = new ConcurrentLinkedQueue<>();
  /** More to say when a wait times out, for example what the server saw. */
  volatile Supplier<String> diagnostics = () -> "";

  private Sdk(Path directory, String name) {
    this.file = directory.resolve(name);
    Logger logger = new Logger(new StaticConfig(Severity.Warn, List.of(new LogWriter() {
      @Override
      public void log(Severity severity, String message, String tag, Throwable failure) {
        warnings.add(severity + " " + message + (failure == null ? "" : ": " + failure));
      }
    })), "powersync");
    this.database = PowerSyncDatabaseFactoryKt.PowerSyncDatabase(new DatabaseDriverFactory(),
        SCHEMA, name, GlobalScope.INSTANCE, logger, directory.toString());
  }

  /**
   * Opens (or creates) the SDK's database {@code directory/name}.
   *
   * @param directory the directory
   * @param name the file's name
   * @return the opened database
   */
  public static Sdk open(Path directory, String name) {
    Sdk sdk = new Sdk(directory, name);
    // Opening is lazy; the first query runs powersync_init.
    sdk.count("SELECT count(*) FROM ps_kv");
    return sdk;
  }

  /** A call of one of the SDK's suspend functions, given the continuation to pass it. */
  @FunctionalInterface
  interface SuspendCall {
    Object call(Continuation<Object> continuation) throws Exception;
  }

  /** Runs a suspend function of the SDK to its end on this thread. */
  @SuppressWarnings("unchecked")
  static <T> T await(SuspendCall call) {
    Function2<CoroutineScope, Continuation<? super Object>, Object> block = (scope, continuation) -> {
      try {
        return call.call(continuation);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        // Kotlin's exceptions are unchecked; javac sees the SDK's declared PowerSyncException.
        throw new IllegalStateException(e);
      }
    };
    try {
      return (T) BuildersKt.runBlocking(EmptyCoroutineContext.INSTANCE, block);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the SDK", e);
    }
  }

  void connect(Connector connector) {
    connect(connector, 20L);
  }

  /**
   * Connects, with a retry delay of 200 ms.
   *
   * @param connector the app's connector
   * @param crudThrottleMs the SDK's upload throttle: after an upload starts, the next one waits
   *     this long (the SDK's default is 1,000 ms)
   */
  public void connect(Connector connector, long crudThrottleMs) {
    await(continuation -> database.connect(connector, crudThrottleMs, 200L, Map.of(),
        new SyncOptions(), Map.of(), continuation));
  }

  void disconnect() {
    await(continuation -> database.disconnect(continuation));
  }

  void disconnectAndClear() {
    await(continuation -> database.disconnectAndClear(false, false, continuation));
  }

  /** @return the SDK's current sync status */
  public SyncStatus status() {
    return database.getCurrentStatus();
  }

  /**
   * Runs a write statement through the SDK.
   *
   * @param sql the statement
   * @param parameters its parameters
   * @return what the SDK returns (the changed rows)
   */
  public long execute(String sql, Object... parameters) {
    return Sdk.<Long>await(continuation ->
        database.execute(sql, List.of(parameters), continuation));
  }

  /**
   * Runs a query whose first column of the first row is a number.
   *
   * @param sql the query
   * @param parameters its parameters
   * @return that number
   */
  public long count(String sql, Object... parameters) {
    return Sdk.<Long>await(continuation -> database.get(sql, List.of(parameters),
        cursor -> cursor.getLong(0), continuation));
  }

  /** @return the title of todo {@code id}, or empty when there is no such row */
  Optional<String> title(String id) {
    List<String> titles = Sdk.<List<String>>await(continuation -> database.getAll(
        "SELECT title FROM todos WHERE id = ?", List.of(id), cursor -> cursor.getString(0),
        continuation));
    return titles.stream().findFirst();
  }

  /** @return the value of a {@code ps_kv} key, or null when it is absent */
  String kv(String key) {
    List<String> values = Sdk.<List<String>>await(continuation -> database.getAll(
        "SELECT value FROM ps_kv WHERE key = ?", List.of(key), cursor -> cursor.getString(0),
        continuation));
    return values.isEmpty() ? null : values.get(0);
  }

  /**
   * Waits until the SDK has been connected, synced and idle (nothing queued, not uploading) for
   * {@link #SETTLE}. SDK 1.14.1 checks its upload queue when it connects, and if a local write lands
   * between that check finding the queue empty and its look at the target, it fetches a write
   * checkpoint, refuses it ("[updateLocalTarget] ps crud is not empty") and does not upload the
   * write until something else triggers an upload. Nothing outside the SDK shows when that check is
   * over, so the tests let it settle before they write.
   */
  public void awaitSettled() {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    long idleSince = System.nanoTime();
    while (System.nanoTime() - idleSince < SETTLE.toNanos()) {
      boolean idle = status().getConnected() && Boolean.TRUE.equals(status().getHasSynced())
          && !status().getUploading() && count("SELECT count(*) FROM ps_crud") == 0;
      if (!idle) {
        idleSince = System.nanoTime();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the SDK did not settle; status " + status() + diagnostics.get());
      }
      pause(Duration.ofMillis(20));
    }
  }

  /** Polls {@code condition} every 10 ms until it holds; fails after {@link #DEADLINE}. */
  public void awaitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting until " + what + "; status " + status()
            + "; SDK warnings " + new ArrayList<>(warnings) + diagnostics.get());
      }
      pause(Duration.ofMillis(10));
    }
  }

  /** The pause between two polls of a real client; the SDK runs on its own threads. */
  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Closes the database (and disconnects). */
  @Override
  public void close() {
    await(continuation -> database.close(continuation));
  }
}

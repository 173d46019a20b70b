package io.checkpoints.interop;

import com.powersync.PowerSyncException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import kotlin.Unit;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.CoroutineStart;
import kotlinx.coroutines.Dispatchers;
import kotlinx.coroutines.GlobalScope;
import kotlinx.coroutines.Job;
import kotlinx.coroutines.flow.Flow;

/**
 * {@link RoundTrip} through the Kotlin SDK: the host runs {@code INSERT INTO todos} through the
 * SDK (its view trigger queues the {@code PUT} and arms the gate), the SDK's upload loop calls the
 * connector's {@code uploadData} (posts the batch to the backend, completes it), fetches the write
 * checkpoint and sets it as the target, and applies a checkpoint that reaches it. SDK 1.14.1 has
 * no call or status that says "this write is synced", so the round trip ends at the closest
 * equivalent, the state the SDK's core records in the same transaction that applies the
 * checkpoint: {@code ps_crud} empty and {@code last_applied_checkpoint_request_id >=
 * target_checkpoint_request_id} in {@code ps_kv}. It is checked after the insert and after every
 * change the SDK reports on {@code ps_kv} ({@code onChange}, unthrottled), so no poll interval is
 * in the figure. Not thread-safe.
 */
public final class SdkRoundTrip implements RoundTrip {

  /** True once the write is synced; see the class description. */
  static final String SYNCED = "SELECT NOT EXISTS (SELECT 1 FROM ps_crud) AND EXISTS ("
      + "SELECT 1 FROM ps_kv t, ps_kv a WHERE t.key = 'target_checkpoint_request_id'"
      + " AND a.key = 'last_applied_checkpoint_request_id'"
      + " AND CAST(a.value AS INTEGER) >= CAST(t.value AS INTEGER))";

  private final Sdk sdk;
  private final Semaphore changes = new Semaphore(0);
  private final Job watch;

  /**
   * Opens the SDK's database {@code directory/name}, connects it to {@code backend}, waits for
   * the first sync and until it is idle ({@link Sdk#awaitSettled}), and starts watching {@code
   * ps_kv}.
   *
   * @param backend the service and backend
   * @param directory the SDK's database directory
   * @param name the database file's name
   * @param crudThrottleMs the SDK's upload throttle (see {@link Sdk#connect(Connector, long)})
   */
  public SdkRoundTrip(Backend backend, Path directory, String name, long crudThrottleMs) {
    sdk = Sdk.open(directory, name);
    sdk.connect(Connector.forUser(backend.endpoint(), USER), crudThrottleMs);
    sdk.awaitUntil("the first sync", () -> Boolean.TRUE.equals(sdk.status().getHasSynced()));
    sdk.awaitSettled();
    Flow<Set<String>> changed;
    try {
      changed = sdk.database.onChange(Set.of("ps_kv"), 0L, false);
    } catch (PowerSyncException e) {
      throw new IllegalStateException("the SDK refused to watch ps_kv", e);
    }
    watch = BuildersKt.launch(GlobalScope.INSTANCE, Dispatchers.getDefault(),
        CoroutineStart.DEFAULT, (scope, continuation) -> changed.collect((tables, next) -> {
          changes.release();
          return Unit.INSTANCE;
        }, continuation));
  }

  @Override
  public void run(String id) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    sdk.execute("INSERT INTO todos (id, title, status) VALUES (?, ?, ?)", id, "title of " + id,
        "open");
    while (true) {
      // Permits taken before the check: a change committed after it leaves one for the wait.
      changes.drainPermits();
      if (sdk.count(SYNCED) == 1) {
        return;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || !changes.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("the SDK did not sync row " + id + " within " + DEADLINE
            + "; status " + sdk.status() + "; SDK warnings " + sdk.warnings);
      }
    }
  }


  @Override
  public boolean queueEmpty() {
    return sdk.count("SELECT count(*) FROM ps_crud") == 0;
  }

  /** Stops watching and closes the SDK's database. */
  @Override
  public void close() {
    watch.cancel((CancellationException) null);
    sdk.close();
  }
}

package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.contract.CheckpointStoreContract.CallerConnection;
import io.checkpoints.testkit.contract.CheckpointStoreContract.Differences;
import io.checkpoints.testkit.contract.CheckpointStoreContract.Expectation;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the contract suite: the hooks a store's test overrides, the store under test and the
 * helpers that the tests of every part share.
 *
 * <p>One part of the contract suite of {@link CheckpointStoreContract}: a store's test extends
 * {@link CheckpointStoreContract}, never this class, which only the suite's own classes can extend.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread.
 */
public abstract class ContractBase {

  /** Package-private: only the next part of the suite extends it (see the class comment). */
  ContractBase() {}

  /** Users for the per-user sequence tests. */
  static final UserKey ALICE = UserKey.forUserId("alice");
  static final UserKey BOB = UserKey.forUserId("bob");
  static final UserKey CAROL = UserKey.forUserId("carol");

  static final long MAX = Long.MAX_VALUE;

  /** More writes than any test queues: a read of the whole queue. */
  static final int QUEUE_READ_LIMIT = 10_000;

  /** The rule the durability tests check, as their failures name it. */
  static final String DURABILITY_RULE =
      "durability (CheckpointStore: what committed survives a reopen, what rolled back does not)";

  /** The rule that nested calls must keep, as the failures of the tests that nest name it. */
  static final String NESTING_RULE = "nesting (CheckpointStore: an inTransaction call on the thread"
      + " of an open transaction joins it, and blocks on nothing)";

  /** The rule that callbacks run after the store released its lock. */
  static final String CALLBACK_LOCK_RULE = "completion callbacks (CheckpointTransaction.afterCompletion:"
      + " they run after the store released its lock and may start a transaction)";

  /** The store under test: a fresh one for every test. */
  protected CheckpointStore store;

  /**
   * Creates the store under test. Called once before every test.
   *
   * @return a fresh store: no checkpoint keys, an empty upload queue that never held a write, no
   *     per-user sequences
   */
  protected abstract CheckpointStore newStore();

  /**
   * The hook for an adapter with a real difference from this contract: the expectations it does
   * not meet and why. Override it only for a difference that the adapter documents; the default
   * declares none.
   *
   * <pre>{@code
   * @Override
   * protected Differences differences() {
   *   return Differences.none().differ(Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE, false,
   *       "H2 sequences are not transactional: a rolled-back write still uses up its number");
   * }
   * }</pre>
   *
   * @return the declared differences
   */
  protected Differences differences() {
    return Differences.none();
  }

  /**
   * Whether the store offers the optional fast path of
   * {@link io.checkpoints.ports.CheckpointState#incrementLastRequested()}. The default, false,
   * expects the port's default: always empty, nothing changed.
   *
   * @return whether the increment adds one in one statement
   */
  protected boolean offersIncrementFastPath() {
    return false;
  }

  /**
   * Whether {@link CheckpointTransaction#enqueueArmingGate} arms the gate in the statement that
   * queues the write (for a table not declared insert-only). The default, false, expects the
   * port's default: only the queue changes and {@code gateArmed} is false.
   *
   * @return whether the store's insert arms the gate and says so
   */
  protected boolean armsGateInTheInsert() {
    return false;
  }

  /**
   * The hook for the joined-store variants of the completion tests: a caller's connection with a
   * transaction of the caller's own that a store joins. A store that works on JDBC connections
   * ({@code unwrap(Connection.class)} answers) must supply it; the default supplies none.
   *
   * @return a fresh caller's connection with a store joined to it, or empty
   */
  protected Optional<CallerConnection> newCallerConnection() {
    return Optional.empty();
  }

  /**
   * The hook for a durable store: opens the store again on the data of the store under test, which
   * the contract has just closed ({@link #store}, the store {@link #newStore()} returned or the
   * last one this hook returned). When it answers, the durability tests check that committed state
   * (the five {@code ps_kv} keys, the queue with its sequence numbers, the per-user sequences)
   * survives a reopen and that rolled-back state does not. A store that keeps nothing past
   * {@code close} (an in-memory store) keeps the default, which answers nothing: the durability
   * tests then check nothing.
   *
   * <pre>{@code
   * @Override
   * protected Optional<CheckpointStore> reopen() {
   *   return Optional.of(PropertiesFileCheckpointStore.open(file())); // the file newStore() opened
   * }
   * }</pre>
   *
   * @return a store on the same data, or empty when the store is not durable
   */
  protected Optional<CheckpointStore> reopen() {
    return Optional.empty();
  }

  /**
   * How long a test waits for work that a correct store finishes at once (a nested transaction,
   * another thread's transaction after a commit) before it fails with the rule the store breaks,
   * instead of hanging on a store that blocks. Raise it for a store that is slow to start a
   * transaction; the default is 10 s.
   *
   * @return the longest wait for such work
   */
  protected Duration blockingDeadline() {
    return Duration.ofSeconds(10);
  }

  @BeforeEach
  void createStore() {
    store = newStore();
    assertThat(store).as("newStore()").isNotNull();
  }

  <T> T expectation(Expectation<T> expectation) {
    return differences().value(expectation);
  }

  String describe(Expectation<?> expectation) {
    Differences differences = differences();
    return expectation.description() + ": " + differences.value(expectation)
        + differences.reason(expectation).map(reason -> " (declared by the adapter: " + reason + ")")
            .orElse(" (the contract's expectation)");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Everything this contract can observe of a store, read in one transaction. */
  record Snapshot(
      Optional<CheckpointRequestId> target,
      Optional<CheckpointRequestId> lastRequested,
      Optional<WriteCheckpoint> lastSeen,
      Optional<WriteCheckpoint> lastApplied,
      ClientId clientId,
      boolean queueEmpty,
      long queueSize,
      long lastSequence,
      Map<UserKey, Optional<CheckpointRequestId>> users,
      long userCount) {

    static Snapshot of(CheckpointTransaction tx) {
      Map<UserKey, Optional<CheckpointRequestId>> users = new LinkedHashMap<>();
      for (UserKey user : List.of(ALICE, BOB, CAROL)) {
        users.put(user, tx.userSequences().highest(user));
      }
      return new Snapshot(tx.state().target(), tx.state().lastRequested(), tx.state().lastSeen(),
          tx.state().lastApplied(), tx.state().clientId(), tx.uploadQueue().isEmpty(),
          tx.uploadQueue().size(), tx.uploadQueue().lastSequence(), users,
          tx.userSequences().count());
    }

    Snapshot withLastSequence(long value) {
      return new Snapshot(target, lastRequested, lastSeen, lastApplied, clientId, queueEmpty,
          queueSize, value, users, userCount);
    }
  }

  Snapshot snapshot() {
    return read(Snapshot::of);
  }

  /**
   * Sets every checkpoint key, queues two writes and gives alice and bob a user sequence.
   *
   * @return the last queued write's sequence number
   */
  long fillEveryKey() {
    return write(tx -> {
      tx.state().setTarget(CheckpointRequestId.of(40));
      tx.state().setLastRequested(CheckpointRequestId.of(41));
      tx.state().setLastSeen(WriteCheckpoint.of(39));
      tx.state().setLastApplied(WriteCheckpoint.of(38));
      tx.uploadQueue().enqueue(put("1"));
      long last = tx.uploadQueue().enqueue(put("2").asInsertOnly());
      tx.userSequences().raise(ALICE, CheckpointRequestId.of(10));
      tx.userSequences().raise(BOB, CheckpointRequestId.of(20));
      return last;
    });
  }

  long[] enqueue(int count) {
    long[] sequences = new long[count];
    for (int i = 0; i < count; i++) {
      int index = i;
      sequences[i] = write(tx -> tx.uploadQueue().enqueue(put("row-" + index)));
    }
    return sequences;
  }

  /** An open gate: target 5, last seen 5, last applied 5, counter 9. */
  void openGate() {
    update(tx -> {
      tx.state().setTarget(CheckpointRequestId.of(5));
      tx.state().setLastSeen(WriteCheckpoint.of(5));
      tx.state().setLastApplied(WriteCheckpoint.of(5));
      tx.state().setLastRequested(CheckpointRequestId.of(9));
    });
  }

  Optional<CheckpointRequestId> target() {
    return store.inTransaction(tx -> tx.state().target());
  }

  Optional<CheckpointRequestId> lastRequested() {
    return store.inTransaction(tx -> tx.state().lastRequested());
  }

  Optional<WriteCheckpoint> lastSeen() {
    return store.inTransaction(tx -> tx.state().lastSeen());
  }

  Optional<WriteCheckpoint> lastApplied() {
    return store.inTransaction(tx -> tx.state().lastApplied());
  }

  ClientId clientId() {
    return store.inTransaction(tx -> tx.state().clientId());
  }

  boolean queueIsEmpty() {
    return store.inTransaction(tx -> tx.uploadQueue().isEmpty());
  }

  long queueSize() {
    return store.inTransaction(tx -> tx.uploadQueue().size());
  }

  long lastSequence() {
    return store.inTransaction(tx -> tx.uploadQueue().lastSequence());
  }

  List<QueuedWrite> firstWrites(int limit) {
    return store.inTransaction(tx -> tx.uploadQueue().firstWrites(limit));
  }

  List<QueuedWrite> firstTransaction() {
    return store.inTransaction(tx -> tx.uploadQueue().firstTransaction());
  }

  long userCount() {
    return store.inTransaction(tx -> tx.userSequences().count());
  }

  boolean reset(UserKey user) {
    return store.inTransaction(tx -> tx.userSequences().reset(user));
  }

  Optional<Long> highest(UserKey user) {
    return read(tx -> tx.userSequences().highest(user).map(CheckpointRequestId::value));
  }

  static LocalWrite put(String rowId) {
    return LocalWrite.put("items", rowId, "{}");
  }

  <T> T read(Function<CheckpointTransaction, T> work) {
    return store.inTransaction(work::apply);
  }

  <T> T write(Function<CheckpointTransaction, T> work) {
    return store.inTransaction(work::apply);
  }

  void update(Consumer<CheckpointTransaction> work) {
    store.inTransaction(tx -> {
      work.accept(tx);
      return null;
    });
  }

  /**
   * Runs {@code body} on a thread of its own and waits for it at most {@link #blockingDeadline()}:
   * a store that blocks (a nested call that waits for the outer transaction's lock, which JUnit's
   * timeout cannot interrupt) fails with the rule it breaks instead of hanging the build. What the
   * body throws is rethrown unchanged.
   */
  <T> T withinDeadline(String rule, Callable<T> body) {
    FutureTask<T> task = new FutureTask<>(body);
    Thread worker = new Thread(task, "contract test: " + rule);
    worker.setDaemon(true); // a store that blocks forever must not keep the JVM alive
    worker.start();
    Duration deadline = blockingDeadline();
    try {
      return task.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      AssertionError failure = new AssertionError("the store breaks the rule of " + rule
          + ": the test's transactions did not end within " + deadline + "; the store blocks at the"
          + " stack trace of the cause");
      Throwable blockedAt = new Throwable("where " + worker.getName() + " blocks");
      blockedAt.setStackTrace(worker.getStackTrace());
      failure.initCause(blockedAt);
      worker.interrupt();
      throw failure;
    } catch (ExecutionException e) {
      throw sneaky(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the test's transactions", e);
    }
  }

  @SuppressWarnings("unchecked")
  static <E extends Throwable> RuntimeException sneaky(Throwable throwable) throws E {
    throw (E) throwable;
  }
}

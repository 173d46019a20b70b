package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of the storage ports ({@link CheckpointStore} and the views of
 * {@link CheckpointTransaction}) that every storage adapter passes.
 *
 * <p>An adapter's test extends this class and supplies a fresh, empty store:
 *
 * <pre>{@code
 * class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {
 *   @Override
 *   protected CheckpointStore newStore() {
 *     return InMemoryCheckpointStore.create();
 *   }
 * }
 * }</pre>
 *
 * <p>It covers absent and present values of every key; setting, overwriting and deleting the
 * target, the counter, last seen (any signed 64-bit value) and last applied; a stable client id;
 * the upload queue, its sequence numbers and its reads ({@code firstWrites}, {@code
 * firstTransaction}, rows written by SQL where the store has a JDBC connection); the refusal of data
 * that is not a JSON object, with the same message on every store; the per-user sequences;
 * {@code clear}; rollback of every kind of change on any exception; nested transactions;
 * completion callbacks, also in a caller's transaction ({@link #newCallerConnection()}); a closed
 * store; and serialised concurrent read-modify-write transactions. The optional fast paths are
 * checked as the store declares them ({@link #offersIncrementFastPath()},
 * {@link #armsGateInTheInsert()}). A durable store supplies {@link #reopen()}: the durability
 * tests then check that every kind of committed change survives a reopen and no rolled-back one
 * does. The tests that nest transactions or start one from a callback run their work on a thread of
 * their own and fail after {@link #blockingDeadline()} with the rule the store breaks (a nested
 * call that waits for the outer transaction blocks in a way no interrupt ends); every other test
 * fails after 120 s instead of hanging on a store that blocks. The rules themselves are stated on
 * {@link CheckpointStore} and {@link CheckpointTransaction}; docs/writing-a-store.md is the guide.
 *
 * <p>An adapter with a real difference from one of the few expectations listed in
 * {@link Expectation} declares it, with the reason, by overriding {@link #differences()}; the test
 * then checks the adapter's documented behaviour instead of skipping the case.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread; the
 * concurrency tests start their own threads on the store only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // a store that blocks fails instead of hanging
public abstract class CheckpointStoreContract {

  /** Users for the per-user sequence tests. */
  private static final UserKey ALICE = UserKey.forUserId("alice");
  private static final UserKey BOB = UserKey.forUserId("bob");
  private static final UserKey CAROL = UserKey.forUserId("carol");

  private static final long MAX = Long.MAX_VALUE;

  /** More writes than any test queues: a read of the whole queue. */
  private static final int QUEUE_READ_LIMIT = 10_000;

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

  /**
   * A caller's connection, its own transactions, and a store joined to it. Used by one test on
   * one thread.
   */
  public interface CallerConnection extends AutoCloseable {
    /** @return the store joined to this connection */
    CheckpointStore store();

    /** Begins the caller's own transaction on the connection. */
    void begin();

    /** Commits the caller's transaction. */
    void commit();

    /** Rolls back the caller's transaction. */
    void rollback();

    /** Closes the joined store and the connection. */
    @Override
    void close();
  }

  @BeforeEach
  void createStore() {
    store = newStore();
    assertThat(store).as("newStore()").isNotNull();
  }

  // ---------------------------------------------------------------------------------------------
  // Absent and present keys

  @Test
  @DisplayName("a fresh store has no checkpoint key, an empty queue and no user sequence")
  void freshStoreIsEmpty() {
    read(tx -> {
      assertThat(tx.state().target()).as("target").isEmpty();
      assertThat(tx.state().lastRequested()).as("last requested").isEmpty();
      assertThat(tx.state().lastSeen()).as("last seen").isEmpty();
      assertThat(tx.state().lastApplied()).as("last applied").isEmpty();
      assertThat(tx.uploadQueue().isEmpty()).as("queue is empty").isTrue();
      assertThat(tx.uploadQueue().size()).as("queue size").isZero();
      assertThat(tx.uploadQueue().lastSequence()).as("last sequence").isZero();
      assertThat(tx.userSequences().count()).as("user sequence count").isZero();
      assertThat(tx.userSequences().highest(ALICE)).as("alice's sequence").isEmpty();
      return null;
    });
  }

  @Test
  @DisplayName("a fresh store has a client id, the same in every transaction")
  void clientIdIsPresentAndStable() {
    ClientId first = clientId();
    assertThat(first).isNotNull();
    assertThat(first.value()).isNotBlank();
    if (expectation(Expectation.FRESH_CLIENT_ID_IS_A_UUID)) {
      assertThatCode(() -> UUID.fromString(first.value()))
          .as("client id \"%s\" is a UUID string", first).doesNotThrowAnyException();
    }
    assertThat(clientId()).isEqualTo(first);
    update(tx -> {
      tx.state().setTarget(CheckpointRequestId.MAX);
      tx.state().setLastRequested(CheckpointRequestId.of(7));
      tx.state().setLastSeen(WriteCheckpoint.of(3));
      tx.state().setLastApplied(WriteCheckpoint.of(3));
      tx.uploadQueue().enqueue(put("1"));
      tx.userSequences().raise(ALICE, CheckpointRequestId.of(7));
      assertThat(tx.state().clientId()).isEqualTo(first);
    });
    assertThat(clientId()).isEqualTo(first);
  }

  @ParameterizedTest
  @EnumSource(Key.class)
  @DisplayName("setting one checkpoint key leaves the others absent")
  void keysAreIndependent(Key key) {
    update(tx -> key.set(tx, 5));
    for (Key other : Key.values()) {
      Optional<Long> value = read(tx -> other.get(tx));
      if (other == key) {
        assertThat(value).as(other.name()).contains(5L);
      } else {
        assertThat(value).as(other.name()).isEmpty();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Target

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 42, MAX - 1, MAX})
  @DisplayName("the target reads back as stored, in the same and in a later transaction")
  void targetRoundTrips(long value) {
    update(tx -> {
      tx.state().setTarget(CheckpointRequestId.of(value));
      assertThat(tx.state().target()).contains(CheckpointRequestId.of(value));
    });
    assertThat(target()).contains(CheckpointRequestId.of(value));
  }

  @Test
  @DisplayName("the target can be overwritten with a lower, higher or MAX value")
  void targetOverwrites() {
    for (long value : new long[] {41, 5, MAX, 3, 3}) {
      update(tx -> tx.state().setTarget(CheckpointRequestId.of(value)));
      assertThat(target()).contains(CheckpointRequestId.of(value));
    }
  }

  @Test
  @DisplayName("deleting the target makes it absent; deleting an absent target does nothing")
  void targetDeletes() {
    update(tx -> tx.state().deleteTarget());
    assertThat(target()).isEmpty();
    update(tx -> tx.state().setTarget(CheckpointRequestId.MAX));
    update(tx -> {
      tx.state().deleteTarget();
      assertThat(tx.state().target()).isEmpty();
    });
    assertThat(target()).isEmpty();
    update(tx -> tx.state().setTarget(CheckpointRequestId.of(9)));
    assertThat(target()).contains(CheckpointRequestId.of(9));
  }

  // ---------------------------------------------------------------------------------------------
  // Last requested (the counter)

  @ParameterizedTest
  @ValueSource(longs = {1, 41, MAX - 1, MAX})
  @DisplayName("the counter reads back as stored")
  void lastRequestedRoundTrips(long value) {
    update(tx -> tx.state().setLastRequested(CheckpointRequestId.of(value)));
    assertThat(lastRequested()).contains(CheckpointRequestId.of(value));
  }

  @Test
  @DisplayName("the counter is stored verbatim: 5 after 41 stores 5")
  void lastRequestedOverwritesVerbatim() {
    for (long value : new long[] {41, 5, MAX, 1}) {
      update(tx -> tx.state().setLastRequested(CheckpointRequestId.of(value)));
      assertThat(lastRequested()).contains(CheckpointRequestId.of(value));
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 41, MAX - 1})
  @DisplayName("the increment fast path adds one and stores it; a store without it answers empty and changes nothing")
  void incrementAddsOne(long value) {
    update(tx -> tx.state().setLastRequested(CheckpointRequestId.of(value)));
    Optional<CheckpointRequestId> incremented =
        store.inTransaction(tx -> tx.state().incrementLastRequested());
    if (offersIncrementFastPath()) {
      assertThat(incremented).contains(CheckpointRequestId.of(value + 1));
      assertThat(lastRequested()).contains(CheckpointRequestId.of(value + 1));
    } else {
      assertThat(incremented).as("no fast path (the port's default)").isEmpty();
      assertThat(lastRequested()).contains(CheckpointRequestId.of(value));
    }
  }

  @Test
  @DisplayName("incrementing an absent or MAX counter changes nothing")
  void incrementLeavesAbsentAndMaxAlone() {
    assertThat(store.<Optional<CheckpointRequestId>>inTransaction(tx -> tx.state().incrementLastRequested())).isEmpty();
    assertThat(lastRequested()).isEmpty();
    update(tx -> tx.state().setLastRequested(CheckpointRequestId.MAX));
    assertThat(store.<Optional<CheckpointRequestId>>inTransaction(tx -> tx.state().incrementLastRequested())).isEmpty();
    assertThat(lastRequested()).contains(CheckpointRequestId.MAX);
  }

  @Test
  @DisplayName("an increment rolls back with its transaction")
  void incrementRollsBack() {
    update(tx -> tx.state().setLastRequested(CheckpointRequestId.of(7)));
    Throwable thrown = catchThrowable(() -> store.inTransaction(tx -> {
      assertThat(tx.state().incrementLastRequested().isPresent())
          .as("the increment offers a fast path").isEqualTo(offersIncrementFastPath());
      throw new IllegalStateException("roll back");
    }));
    assertThat(thrown).hasMessage("roll back");
    assertThat(lastRequested()).contains(CheckpointRequestId.of(7));
  }

  // ---------------------------------------------------------------------------------------------
  // Last seen and last applied: any signed 64-bit value

  @ParameterizedTest
  @ValueSource(longs = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -3, -1, 0, 1, 42, MAX - 1, MAX})
  @DisplayName("last seen reads back exactly as sent, negative, zero and extremes included")
  void lastSeenRoundTrips(long value) {
    update(tx -> tx.state().setLastSeen(WriteCheckpoint.of(value)));
    assertThat(lastSeen()).contains(WriteCheckpoint.of(value));
    assertThat(lastApplied()).as("last applied").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -3, -1, 0, 1, 42, MAX - 1, MAX})
  @DisplayName("last applied reads back exactly as sent, negative, zero and extremes included")
  void lastAppliedRoundTrips(long value) {
    update(tx -> tx.state().setLastApplied(WriteCheckpoint.of(value)));
    assertThat(lastApplied()).contains(WriteCheckpoint.of(value));
    assertThat(lastSeen()).as("last seen").isEmpty();
  }

  @Test
  @DisplayName("last seen and last applied can be overwritten and deleted independently")
  void lastSeenAndAppliedOverwriteAndDelete() {
    long[] values = {7, -3, 0, MAX, Long.MIN_VALUE, 2};
    for (int i = 0; i < values.length; i++) {
      long seen = values[i];
      long applied = values[values.length - 1 - i];
      update(tx -> {
        tx.state().setLastSeen(WriteCheckpoint.of(seen));
        tx.state().setLastApplied(WriteCheckpoint.of(applied));
      });
      assertThat(lastSeen()).contains(WriteCheckpoint.of(seen));
      assertThat(lastApplied()).contains(WriteCheckpoint.of(applied));
    }
    update(tx -> tx.state().deleteLastSeen());
    assertThat(lastSeen()).isEmpty();
    assertThat(lastApplied()).contains(WriteCheckpoint.of(7));
    update(tx -> tx.state().deleteLastApplied());
    assertThat(lastApplied()).isEmpty();
    update(tx -> {
      tx.state().deleteLastSeen();
      tx.state().deleteLastApplied();
    });
    assertThat(lastSeen()).isEmpty();
    assertThat(lastApplied()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Upload queue

  @Test
  @DisplayName("queued writes get strictly increasing positive sequence numbers")
  void enqueueAssignsIncreasingSequences() {
    List<Long> sequences = new ArrayList<>();
    update(tx -> {
      sequences.add(tx.uploadQueue().enqueue(put("a")));
      sequences.add(tx.uploadQueue().enqueue(put("b").asInsertOnly()));
      assertThat(tx.uploadQueue().size()).isEqualTo(2);
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(sequences.get(1));
    });
    update(tx -> sequences.add(tx.uploadQueue().enqueue(
        new LocalWrite(LocalWrite.Operation.DELETE, "items", "a", "{}", false))));
    update(tx -> sequences.add(tx.uploadQueue().enqueue(
        new LocalWrite(LocalWrite.Operation.PATCH, "items", "b", "{\"n\":1}", false))));
    assertThat(sequences.get(0)).isPositive();
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    read(tx -> {
      assertThat(tx.uploadQueue().isEmpty()).isFalse();
      assertThat(tx.uploadQueue().size()).isEqualTo(4);
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(sequences.get(3));
      return null;
    });
  }

  @Test
  @DisplayName("enqueue alone leaves every checkpoint key as it was: arming is the caller's decision")
  void enqueueDoesNotArm() {
    openGate();
    long sequence = write(tx -> tx.uploadQueue().enqueue(put("a")));
    assertThat(sequence).isEqualTo(lastSequence());
    assertThat(target()).contains(CheckpointRequestId.of(5));
    assertThat(lastSeen()).contains(WriteCheckpoint.of(5));
    assertThat(lastApplied()).contains(WriteCheckpoint.of(5));
    assertThat(lastRequested()).contains(CheckpointRequestId.of(9));
  }

  // "logs": an adapter's test may declare it insert-only for SQL writes, so that the store's
  // trigger does not arm for it: then the store must report gateArmed false.
  @ParameterizedTest
  @ValueSource(strings = {"items", "logs"})
  @DisplayName("enqueueArmingGate queues the write and reports truly whether it armed the gate")
  void enqueueArmingGateReportsWhatItDid(String table) {
    long before = write(tx -> tx.uploadQueue().enqueue(put("first")));
    openGate();
    CheckpointTransaction.Enqueued enqueued = write(tx -> {
      CheckpointTransaction.Enqueued queued = tx.enqueueArmingGate(
          new LocalWrite(LocalWrite.Operation.PUT, table, "x", "{\"n\":1}", false));
      assertThat(tx.state().target()).as("the target inside the transaction")
          .contains(queued.gateArmed() ? CheckpointRequestId.MAX : CheckpointRequestId.of(5));
      return queued;
    });
    assertThat(enqueued.sequence()).isGreaterThan(before).isEqualTo(lastSequence());
    assertThat(queueSize()).isEqualTo(2);
    assertThat(lastRequested()).contains(CheckpointRequestId.of(9));
    if (enqueued.gateArmed()) {
      assertThat(target()).contains(CheckpointRequestId.MAX);
      assertThat(lastSeen()).isEmpty();
      assertThat(lastApplied()).isEmpty();
    } else {
      assertThat(target()).as("not armed: only the queue changed").contains(CheckpointRequestId.of(5));
      assertThat(lastSeen()).contains(WriteCheckpoint.of(5));
      assertThat(lastApplied()).contains(WriteCheckpoint.of(5));
    }
    if (table.equals("items")) {
      assertThat(enqueued.gateArmed()).as("whether this store arms the gate in the insert")
          .isEqualTo(armsGateInTheInsert());
    }
  }

  @Test
  @DisplayName("removeThrough removes the writes up to and including the sequence")
  void removeThroughRemovesUpToAndIncluding() {
    long[] s = enqueue(3);
    update(tx -> tx.uploadQueue().removeThrough(s[1]));
    read(tx -> {
      assertThat(tx.uploadQueue().size()).isEqualTo(1);
      assertThat(tx.uploadQueue().isEmpty()).isFalse();
      assertThat(tx.uploadQueue().lastSequence()).as("last sequence").isEqualTo(s[2]);
      return null;
    });
    update(tx -> tx.uploadQueue().removeThrough(s[2]));
    read(tx -> {
      assertThat(tx.uploadQueue().size()).isZero();
      assertThat(tx.uploadQueue().isEmpty()).isTrue();
      assertThat(tx.uploadQueue().lastSequence()).as("last sequence").isEqualTo(s[2]);
      return null;
    });
  }

  @Test
  @DisplayName("removeThrough(0) removes nothing, also from an empty queue")
  void removeThroughZeroRemovesNothing() {
    update(tx -> tx.uploadQueue().removeThrough(0));
    assertThat(queueIsEmpty()).isTrue();
    long[] s = enqueue(2);
    update(tx -> tx.uploadQueue().removeThrough(0));
    assertThat(queueSize()).isEqualTo(2);
    update(tx -> tx.uploadQueue().removeThrough(s[0] - 1));
    assertThat(queueSize()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 1000, MAX})
  @DisplayName("removeThrough of a future sequence removes all, and later writes stay queued")
  void removeThroughFutureSequence(long beyond) {
    long[] s = enqueue(2);
    long through = beyond == MAX ? MAX : s[1] + beyond;
    update(tx -> tx.uploadQueue().removeThrough(through));
    read(tx -> {
      assertThat(tx.uploadQueue().isEmpty()).isTrue();
      assertThat(tx.uploadQueue().size()).isZero();
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(s[1]);
      return null;
    });
    long next = write(tx -> tx.uploadQueue().enqueue(put("later")));
    assertThat(next).isGreaterThan(s[1]);
    read(tx -> {
      assertThat(tx.uploadQueue().isEmpty()).as("the later write is queued").isFalse();
      assertThat(tx.uploadQueue().size()).isEqualTo(1);
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(next);
      return null;
    });
  }

  @Test
  @DisplayName("sequence numbers keep increasing after removeThrough and after clear")
  void sequencesNeverRestart() {
    long[] first = enqueue(2);
    update(tx -> tx.uploadQueue().removeThrough(first[1]));
    long afterUpload = write(tx -> tx.uploadQueue().enqueue(put("c")));
    assertThat(afterUpload).isGreaterThan(first[1]);
    update(tx -> tx.clear(ClearFlags.HARD));
    assertThat(lastSequence())
        .as("last sequence after clear").isEqualTo(afterUpload);
    long afterClear = write(tx -> tx.uploadQueue().enqueue(put("d")));
    assertThat(afterClear).isGreaterThan(afterUpload);
    update(tx -> tx.clear(ClearFlags.of(ClearFlags.SOFT_BIT)));
    long afterSoftClear = write(tx -> tx.uploadQueue().enqueue(put("e")));
    assertThat(afterSoftClear).isGreaterThan(afterClear);
    assertThat(queueSize()).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading the upload queue

  @Test
  @DisplayName("firstWrites reads the oldest writes in order with their fields; one transaction id per transaction")
  void firstWritesReadsInOrder() {
    long[] first = write(tx -> new long[] {
        tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{\"n\":1}")),
        tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.PATCH, "items", "b", "{\"done\":true}", false)),
        tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.DELETE, "lists", "c", "{}", false))});
    long second = write(tx -> tx.enqueueArmingGate(LocalWrite.put("lists", "d", "{\"x\":\"y\"}")).sequence());
    List<QueuedWrite> all = firstWrites(Integer.MAX_VALUE);
    assertThat(all).extracting(QueuedWrite::sequence).containsExactly(first[0], first[1], first[2], second);
    assertThat(all).extracting(QueuedWrite::operation).containsExactly(LocalWrite.Operation.PUT,
        LocalWrite.Operation.PATCH, LocalWrite.Operation.DELETE, LocalWrite.Operation.PUT);
    assertThat(all).extracting(QueuedWrite::table).containsExactly("items", "items", "lists", "lists");
    assertThat(all).extracting(QueuedWrite::rowId).containsExactly("a", "b", "c", "d");
    assertThat(all).extracting(QueuedWrite::dataJson)
        .containsExactly("{\"n\":1}", "{\"done\":true}", "{}", "{\"x\":\"y\"}");
    long firstTransaction = all.get(0).transactionId();
    assertThat(all.subList(0, 3)).extracting(QueuedWrite::transactionId).containsOnly(firstTransaction);
    assertThat(all.get(3).transactionId()).as("the second transaction's id").isNotEqualTo(firstTransaction);
    assertThat(firstWrites(1)).containsExactly(all.get(0));
    assertThat(firstWrites(2)).containsExactlyElementsOf(all.subList(0, 2));
    assertThat(firstWrites(4)).isEqualTo(all);
    assertThat(firstWrites(5)).isEqualTo(all);
    assertThat(queueSize()).as("reading removes nothing").isEqualTo(4);
  }

  @Test
  @DisplayName("an empty queue reads as no writes and no transaction")
  void emptyQueueReadsEmpty() {
    assertThat(firstWrites(1)).isEmpty();
    assertThat(firstWrites(Integer.MAX_VALUE)).isEmpty();
    assertThat(firstTransaction()).isEmpty();
    long[] s = enqueue(2);
    update(tx -> tx.uploadQueue().removeThrough(s[1]));
    assertThat(firstWrites(10)).as("after an upload").isEmpty();
    assertThat(firstTransaction()).as("after an upload").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  @DisplayName("firstWrites of fewer than 1 write is refused with a typed error and changes nothing")
  void firstWritesRefusesLimitsBelowOne(int limit) {
    fillEveryKey();
    Snapshot before = snapshot();
    List<QueuedWrite> queued = firstWrites(Integer.MAX_VALUE);
    Throwable refused = store.inTransaction(tx -> catchThrowable(() -> tx.uploadQueue().firstWrites(limit)));
    assertThat(refused).as("the refusal").isInstanceOf(CheckpointArgumentException.class)
        .hasMessage("the number of queued writes to read must be at least 1, got " + limit);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(firstWrites(Integer.MAX_VALUE)).isEqualTo(queued);
  }

  @Test
  @DisplayName("firstTransaction reads the writes of the oldest transaction still queued, in order")
  void firstTransactionReadsTheOldestTransaction() {
    long[] first = write(tx -> new long[] {
        tx.uploadQueue().enqueue(put("a")), tx.uploadQueue().enqueue(put("b").asInsertOnly())});
    long[] second = write(tx -> new long[] {
        tx.uploadQueue().enqueue(put("c")), tx.enqueueArmingGate(put("d")).sequence()});
    long third = write(tx -> tx.uploadQueue().enqueue(put("e")));
    assertThat(firstTransaction())
        .extracting(QueuedWrite::sequence).containsExactly(first[0], first[1]);
    assertThat(firstTransaction())
        .extracting(QueuedWrite::rowId).containsExactly("a", "b");
    update(tx -> tx.uploadQueue().removeThrough(first[1]));
    List<QueuedWrite> next = firstTransaction();
    assertThat(next).extracting(QueuedWrite::sequence).containsExactly(second[0], second[1]);
    assertThat(next).extracting(QueuedWrite::transactionId).containsOnly(next.get(0).transactionId());
    update(tx -> tx.uploadQueue().removeThrough(second[1]));
    assertThat(firstTransaction())
        .extracting(QueuedWrite::sequence).containsExactly(third);
  }

  @Test
  @DisplayName("writes queued in nested work share the outer transaction's id")
  void nestedWritesShareTheTransactionId() {
    update(tx -> {
      tx.uploadQueue().enqueue(put("outer"));
      store.inTransaction(inner -> inner.uploadQueue().enqueue(put("inner")));
    });
    List<QueuedWrite> writes = firstTransaction();
    assertThat(writes).extracting(QueuedWrite::rowId).containsExactly("outer", "inner");
  }

  @Test
  @DisplayName("removing through a batch's last write keeps the writes queued after the batch")
  void removeThroughTheBatchKeepsLaterWrites() {
    enqueue(3);
    List<QueuedWrite> batch = firstWrites(2);
    long during = write(tx -> tx.uploadQueue().enqueue(put("queued-during-upload")));
    update(tx -> tx.uploadQueue().removeThrough(batch.get(batch.size() - 1).sequence()));
    List<QueuedWrite> left = firstWrites(Integer.MAX_VALUE);
    assertThat(left).extracting(QueuedWrite::rowId).containsExactly("row-2", "queued-during-upload");
    assertThat(left.get(1).sequence()).isEqualTo(during);
    assertThat(queueIsEmpty()).isFalse();
  }

  @Test
  @DisplayName("queued rows written by SQL: data absent reads as {}, extra members are ignored, an unknown op is a typed error")
  void foreignQueueRows() {
    long delete = write(tx -> tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.DELETE, "items", "gone", "{}", false)));
    Optional<Boolean> planted = store.inTransaction(tx -> tx.unwrap(Connection.class).map(connection -> {
      insertQueueRow(connection, "{\"op\":\"DELETE\",\"id\":\"sdk-1\",\"type\":\"items\"}", 900);
      insertQueueRow(connection, "{\"op\":\"PATCH\",\"id\":\"sdk-2\",\"type\":\"items\","
          + "\"data\":{\"n\":2},\"old\":{\"n\":1},\"metadata\":\"m\"}", 900);
      return true;
    }));
    List<QueuedWrite> writes = firstWrites(Integer.MAX_VALUE);
    assertThat(writes.get(0).sequence()).isEqualTo(delete);
    assertThat(writes.get(0).dataJson()).as("a DELETE queued through the port").isEqualTo("{}");
    if (planted.isEmpty()) {
      assertThat(writes).as("a store without SQL has only the port's writes").hasSize(1);
      return;
    }
    assertThat(writes).hasSize(3);
    assertThat(writes.get(1)).isEqualTo(new QueuedWrite(writes.get(1).sequence(), 900,
        LocalWrite.Operation.DELETE, "items", "sdk-1", "{}"));
    assertThat(writes.get(2)).isEqualTo(new QueuedWrite(writes.get(2).sequence(), 900,
        LocalWrite.Operation.PATCH, "items", "sdk-2", "{\"n\":2}"));
    assertThat(firstTransaction()).as("the smallest tx_id")
        .extracting(QueuedWrite::rowId).containsExactly("gone");
    long bad = store.inTransaction(tx -> {
      insertQueueRow(tx.unwrap(Connection.class).orElseThrow(),
          "{\"op\":\"MOVE\",\"id\":\"x\",\"type\":\"items\",\"data\":{}}", 901);
      return tx.uploadQueue().lastSequence();
    });
    Throwable failure = catchThrowable(() -> firstWrites(Integer.MAX_VALUE));
    assertThat(failure).isInstanceOf(CheckpointStorageException.class)
        .hasMessageContaining("ps_crud row " + bad).hasMessageContaining("MOVE");
    assertThat(firstWrites(3)).as("the rows before it still read").hasSize(3);
  }

  private static void insertQueueRow(Connection connection, String data, long txId) {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO ps_crud(data, tx_id) VALUES (?, ?)")) {
      insert.setString(1, data);
      insert.setLong(2, txId);
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not plant a ps_crud row", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The data of a local write must be the text of a JSON object, on every store

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[1,2]", "[]", "5", "-1.5", "\"text\"", "null", "true", "",
      " ", "{", "{\"a\":}", "{\"a\":1} {}", "{\"a\":1}x", "{'a':1}"})
  @DisplayName("a write whose data is not a JSON object is refused with the same typed error, and nothing changes")
  void dataThatIsNotAJsonObjectIsRefused(String data) {
    fillEveryKey();
    Snapshot before = snapshot();
    List<QueuedWrite> queued = firstWrites(Integer.MAX_VALUE);
    LocalWrite write = LocalWrite.put("items", "bad", data);
    String expected = "the data of a local write must be the text of a JSON object, got \""
        + (data.length() <= 40 ? data : data.substring(0, 40) + "...") + "\" for " + write;
    // Caught inside work that then commits: the refusal itself must leave nothing behind.
    List<Throwable> refusals = store.inTransaction(tx -> List.of(
        catchThrowable(() -> tx.uploadQueue().enqueue(write)),
        catchThrowable(() -> tx.enqueueArmingGate(write))));
    for (Throwable refusal : refusals) {
      assertThat(refusal).isInstanceOf(CheckpointArgumentException.class).hasMessage(expected);
    }
    assertThat(snapshot()).isEqualTo(before);
    assertThat(firstWrites(Integer.MAX_VALUE)).isEqualTo(queued);
  }

  @Test
  @DisplayName("a long refused text is shown abbreviated in the message")
  void longRefusedDataIsAbbreviated() {
    String data = "[" + "1,".repeat(50) + "1]";
    LocalWrite write = LocalWrite.put("items", "long", data);
    Throwable refusal = catchThrowable(() -> write(tx -> tx.uploadQueue().enqueue(write)));
    assertThat(refusal).isInstanceOf(CheckpointArgumentException.class)
        .hasMessage("the data of a local write must be the text of a JSON object, got \""
            + data.substring(0, 40) + "...\" for " + write);
    assertThat(queueIsEmpty()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"x\"}", "{\"e\":\"\\u00e9\\\"q\"}",
      "{\"big\":9223372036854775807,\"neg\":-1}"})
  @DisplayName("a write whose data is a JSON object, nested or empty, is queued and reads back as the same JSON")
  void jsonObjectsAreQueued(String data) throws Exception {
    long sequence = write(tx -> tx.uploadQueue().enqueue(LocalWrite.put("items", "ok", data)));
    List<QueuedWrite> writes = firstWrites(1);
    assertThat(writes).extracting(QueuedWrite::sequence).containsExactly(sequence);
    // The same JSON value; a store may write it in another form (H2 unescapes \\u00e9).
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(writes.get(0).dataJson())).as(writes.get(0).dataJson())
        .isEqualTo(json.readTree(data));
  }

  // ---------------------------------------------------------------------------------------------
  // Per-user sequences

  @Test
  @DisplayName("a user's sequence is absent until raised, and a raise never lowers it")
  void userSequenceRaisesAndNeverLowers() {
    update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.of(10)));
    assertThat(highest(ALICE)).contains(10L);
    update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.of(3)));
    assertThat(highest(ALICE)).as("after a lower raise").contains(10L);
    update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.of(10)));
    assertThat(highest(ALICE)).as("after an equal raise").contains(10L);
    update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.of(11)));
    assertThat(highest(ALICE)).contains(11L);
    update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.MAX));
    assertThat(highest(ALICE)).contains(MAX);
    update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.MIN));
    assertThat(highest(ALICE)).contains(MAX);
  }

  @Test
  @DisplayName("users' sequences are independent and counted once each")
  void userSequencesAreIndependent() {
    update(tx -> {
      tx.userSequences().raise(ALICE, CheckpointRequestId.of(5));
      tx.userSequences().raise(BOB, CheckpointRequestId.of(50));
      tx.userSequences().raise(ALICE, CheckpointRequestId.of(6));
    });
    assertThat(highest(ALICE)).contains(6L);
    assertThat(highest(BOB)).contains(50L);
    assertThat(highest(CAROL)).isEmpty();
    assertThat(userCount()).isEqualTo(2);
  }

  @Test
  @DisplayName("reset forgets one user's sequence, which may then start again at 1")
  void userSequenceReset() {
    update(tx -> {
      tx.userSequences().raise(ALICE, CheckpointRequestId.of(5));
      tx.userSequences().raise(BOB, CheckpointRequestId.of(50));
    });
    assertThat(reset(ALICE)).isTrue();
    assertThat(highest(ALICE)).isEmpty();
    assertThat(highest(BOB)).contains(50L);
    assertThat(userCount()).isEqualTo(1);
    assertThat(reset(ALICE)).as("second reset").isFalse();
    assertThat(reset(CAROL)).as("unknown user").isFalse();
    update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.MIN));
    assertThat(highest(ALICE)).contains(1L);
    assertThat(userCount()).isEqualTo(2);
  }

  // ---------------------------------------------------------------------------------------------
  // Clear

  @ParameterizedTest
  @ValueSource(ints = {0, 0x01, ClearFlags.SOFT_BIT, 0x03, 0x04, 0xff})
  @DisplayName("clear deletes every checkpoint key and the queue, keeps client id and user sequences")
  void clearDeletesKeysAndQueueButKeepsClientIdAndUserSequences(int bits) {
    ClientId clientId = clientId();
    long lastSequence = fillEveryKey();
    update(tx -> {
      tx.clear(ClearFlags.of(bits));
      assertThat(tx.state().target()).as("target in the clearing transaction").isEmpty();
    });
    read(tx -> {
      assertThat(tx.state().target()).as("target").isEmpty();
      assertThat(tx.state().lastRequested()).as("last requested").isEmpty();
      assertThat(tx.state().lastSeen()).as("last seen").isEmpty();
      assertThat(tx.state().lastApplied()).as("last applied").isEmpty();
      assertThat(tx.uploadQueue().isEmpty()).as("queue is empty").isTrue();
      assertThat(tx.uploadQueue().size()).as("queue size").isZero();
      assertThat(tx.uploadQueue().lastSequence()).as("last sequence").isEqualTo(lastSequence);
      assertThat(tx.state().clientId()).as("client id").isEqualTo(clientId);
      assertThat(tx.userSequences().highest(ALICE)).as("alice").contains(CheckpointRequestId.of(10));
      assertThat(tx.userSequences().highest(BOB)).as("bob").contains(CheckpointRequestId.of(20));
      assertThat(tx.userSequences().count()).as("user count").isEqualTo(2);
      return null;
    });
  }

  @Test
  @DisplayName("clear of an empty store works, and keys set after a clear in its transaction stay")
  void clearThenWriteInOneTransaction() {
    update(tx -> tx.clear(ClearFlags.HARD));
    update(tx -> {
      tx.state().setTarget(CheckpointRequestId.of(4));
      tx.clear(ClearFlags.HARD);
      tx.state().setLastRequested(CheckpointRequestId.of(8));
      tx.uploadQueue().enqueue(put("x"));
    });
    assertThat(target()).isEmpty();
    assertThat(lastRequested()).contains(CheckpointRequestId.of(8));
    assertThat(queueSize()).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------
  // Transactions: results, rollback, nesting

  @Test
  @DisplayName("inTransaction returns what the work returned, null included")
  void returnsTheWorkResult() {
    assertThat(store.<String>inTransaction(tx -> "result")).isEqualTo("result");
    assertThat(store.<String>inTransaction(tx -> null)).isNull();
  }

  /** @return every kind of change combined with every kind of exception */
  static Stream<Arguments> changesAndFailures() {
    return Stream.of(Change.values())
        .flatMap(change -> Stream.of(Failure.values()).map(failure -> Arguments.of(change, failure)));
  }

  @ParameterizedTest(name = "{0} then {1}")
  @MethodSource("changesAndFailures")
  @DisplayName("any exception thrown by the work rolls back every change and is rethrown unchanged")
  void exceptionRollsBackAndIsRethrownUnchanged(Change change, Failure failure) {
    fillEveryKey();
    Snapshot before = snapshot();
    Throwable thrown = failure.create();
    Throwable caught = catchThrowable(() -> store.inTransaction(tx -> {
      change.apply(tx);
      assertThat(Snapshot.of(tx)).as("%s is visible inside the transaction", change)
          .isNotEqualTo(before);
      throw sneaky(thrown);
    }));
    assertThat(caught).as("the exception the work threw").isSameAs(thrown);
    assertRolledBackTo(before, change);
    // The store is still usable after a rollback.
    update(tx -> tx.state().setTarget(CheckpointRequestId.of(77)));
    assertThat(target()).contains(CheckpointRequestId.of(77));
  }

  @Test
  @DisplayName("a nested transaction joins the outer one: each sees the other's changes")
  void nestedTransactionJoinsTheOuter() {
    withinDeadline(NESTING_RULE, () -> {
      update(outer -> {
        outer.state().setTarget(CheckpointRequestId.of(5));
        long inner = store.inTransaction(tx -> {
          assertThat(tx.state().target()).as("%s: outer change seen inside", NESTING_RULE).contains(CheckpointRequestId.of(5));
          tx.state().setLastSeen(WriteCheckpoint.of(7));
          return tx.uploadQueue().enqueue(put("n"));
        });
        assertThat(outer.state().lastSeen()).as("%s: inner change seen outside", NESTING_RULE).contains(WriteCheckpoint.of(7));
        assertThat(outer.uploadQueue().lastSequence()).isEqualTo(inner);
      });
      assertThat(target()).contains(CheckpointRequestId.of(5));
      assertThat(lastSeen()).contains(WriteCheckpoint.of(7));
      assertThat(queueSize()).isEqualTo(1);
      return null;
    });
  }

  @Test
  @DisplayName("an exception in the outer transaction after an inner success rolls back both")
  void outerFailureRollsBackInnerChanges() {
    withinDeadline(NESTING_RULE, () -> {
      fillEveryKey();
      Snapshot before = snapshot();
      IllegalStateException thrown = new IllegalStateException("outer fails after inner success");
      Throwable caught = catchThrowable(() -> store.inTransaction(outer -> {
        outer.state().deleteTarget();
        store.inTransaction(inner -> {
          Change.ALL_OF_THEM.apply(inner);
          return null;
        });
        throw thrown;
      }));
      assertThat(caught).isSameAs(thrown);
      assertRolledBackTo(before, Change.ALL_OF_THEM);
      return null;
    });
  }

  @Test
  @DisplayName("an exception from an inner transaction that the outer lets through rolls back all")
  void innerFailurePropagatingRollsBackAll() {
    withinDeadline(NESTING_RULE, () -> {
      fillEveryKey();
      Snapshot before = snapshot();
      CheckpointArgumentException thrown = new CheckpointArgumentException("inner fails");
      Throwable caught = catchThrowable(() -> store.inTransaction(outer -> {
        outer.state().setLastRequested(CheckpointRequestId.of(999));
        return store.inTransaction(inner -> {
          Change.ALL_OF_THEM.apply(inner);
          throw thrown;
        });
      }));
      assertThat(caught).isSameAs(thrown);
      assertRolledBackTo(before, Change.ALL_OF_THEM);
      return null;
    });
  }

  @Test
  @DisplayName("an inner failure that the outer catches: the outer commits, inner changes as declared")
  void innerFailureCaughtByTheOuter() {
    withinDeadline(NESTING_RULE, () -> {
      InnerFailure expected = expectation(Expectation.INNER_FAILURE_CAUGHT_BY_OUTER);
      IllegalStateException thrown = new IllegalStateException("inner fails, outer catches");
      update(outer -> {
        outer.state().setTarget(CheckpointRequestId.of(3));
        Throwable caught = catchThrowable(() -> store.inTransaction(inner -> {
          inner.state().setLastSeen(WriteCheckpoint.of(4));
          throw thrown;
        }));
        assertThat(caught).isSameAs(thrown);
        outer.state().setLastApplied(WriteCheckpoint.of(5));
      });
      assertThat(target()).as("outer change before").contains(CheckpointRequestId.of(3));
      assertThat(lastApplied()).as("outer change after").contains(WriteCheckpoint.of(5));
      Optional<WriteCheckpoint> innerChange = lastSeen();
      if (expected == InnerFailure.KEEPS_INNER_CHANGES) {
        assertThat(innerChange).as(describe(Expectation.INNER_FAILURE_CAUGHT_BY_OUTER))
            .contains(WriteCheckpoint.of(4));
      } else {
        assertThat(innerChange).as(describe(Expectation.INNER_FAILURE_CAUGHT_BY_OUTER)).isEmpty();
      }
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency

  @Test
  @DisplayName("4 threads x 1,000 read-modify-write transactions lose no update")
  void concurrentReadModifyWriteLosesNoUpdate() throws Exception {
    int threads = 4;
    int perThread = 1_000;
    runConcurrently(threads, thread -> {
      for (int i = 0; i < perThread; i++) {
        store.inTransaction(tx -> {
          long counter = tx.state().lastRequested().map(CheckpointRequestId::value).orElse(0L);
          tx.state().setLastRequested(CheckpointRequestId.of(counter + 1));
          return null;
        });
      }
      return null;
    });
    assertThat(lastRequested())
        .contains(CheckpointRequestId.of((long) threads * perThread));
  }

  @Test
  @DisplayName("concurrent writes get distinct sequence numbers and all stay queued")
  void concurrentEnqueuesGetDistinctSequences() throws Exception {
    int threads = 4;
    int perThread = 250;
    List<List<Long>> perThreadSequences = runConcurrently(threads, thread -> {
      List<Long> sequences = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        sequences.add(write(tx -> tx.uploadQueue().enqueue(put(thread + "-" + sequences.size()))));
      }
      return sequences;
    });
    Set<Long> all = new HashSet<>();
    for (List<Long> sequences : perThreadSequences) {
      assertThat(sequences).as("one thread's sequences").isSorted().doesNotHaveDuplicates();
      all.addAll(sequences);
    }
    assertThat(all).hasSize(threads * perThread);
    assertThat(queueSize()).isEqualTo(threads * perThread);
    assertThat(lastSequence()).isEqualTo(all.stream().mapToLong(x -> x).max().orElseThrow());
  }

  @Test
  @DisplayName("concurrent raises keep the highest value")
  void concurrentRaisesKeepTheHighest() throws Exception {
    int threads = 4;
    int perThread = 250;
    runConcurrently(threads, thread -> {
      for (int i = 1; i <= perThread; i++) {
        long value = (long) i * threads + thread;
        update(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.of(value)));
      }
      return null;
    });
    assertThat(highest(ALICE)).contains((long) perThread * threads + threads - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Closing

  @Test
  @DisplayName("a closed store refuses every transaction with STORE_CLOSED and runs no work; closing twice does nothing")
  void closedStoreRefusesTransactions() {
    fillEveryKey();
    store.close();
    List<String> ran = new ArrayList<>();
    for (int attempt = 0; attempt < 2; attempt++) {
      Throwable refusal = catchThrowable(() -> store.inTransaction(tx -> {
        ran.add("work");
        tx.state().setTarget(CheckpointRequestId.of(1));
        return null;
      }));
      assertThat(refusal).isInstanceOf(CheckpointStateException.class);
      assertThat(((CheckpointStateException) refusal).reason())
          .isEqualTo(CheckpointStateException.Reason.STORE_CLOSED);
    }
    assertThat(ran).as("work run on a closed store").isEmpty();
    assertThatCode(store::close).as("closing twice").doesNotThrowAnyException();
    Throwable reading = catchThrowable(() -> firstWrites(1));
    assertThat(reading).as("reading the queue of a closed store").isInstanceOf(CheckpointStateException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Durability: what committed survives a reopen, what rolled back does not

  @ParameterizedTest(name = "{0}")
  @EnumSource(Change.class)
  @DisplayName("durable stores: a committed change survives a reopen, the queue's writes and sequence numbers too")
  void committedChangeSurvivesAReopen(Change change) {
    fillEveryKey();
    update(change::apply);
    Snapshot committed = snapshot();
    List<QueuedWrite> writes = firstWrites(QUEUE_READ_LIMIT);
    if (!reopened()) {
      return;
    }
    assertThat(snapshot()).as("%s: %s committed, then the store was reopened", DURABILITY_RULE, change)
        .isEqualTo(committed);
    assertThat(firstWrites(QUEUE_READ_LIMIT)).as("%s: the queued writes", DURABILITY_RULE).isEqualTo(writes);
    long next = write(tx -> tx.uploadQueue().enqueue(put("after-reopen")));
    assertThat(next).as("%s: the first write after a reopen takes a new sequence number", DURABILITY_RULE)
        .isGreaterThan(committed.lastSequence());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Change.class)
  @DisplayName("durable stores: a rolled-back change is not there after a reopen")
  void rolledBackChangeIsGoneAfterAReopen(Change change) {
    fillEveryKey();
    Snapshot before = snapshot();
    IllegalStateException thrown = new IllegalStateException("rolls back before the reopen");
    Throwable caught = catchThrowable(() -> store.inTransaction(tx -> {
      change.apply(tx);
      throw thrown;
    }));
    assertThat(caught).as("the exception the work threw").isSameAs(thrown);
    if (!reopened()) {
      return;
    }
    assertRolledBackTo(before, change);
  }

  /**
   * Closes the store under test and reopens it through {@link #reopen()}.
   *
   * @return whether the store is durable and was reopened
   */
  private boolean reopened() {
    // Closed first, so that the reopened store can only find what reached the store's data.
    store.close();
    Optional<CheckpointStore> reopened = reopen();
    if (reopened.isEmpty()) {
      return false;
    }
    assertThat(reopened.get()).as("reopen() opens a new store").isNotSameAs(store);
    store = reopened.get();
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Completion callbacks

  @Test
  @DisplayName("callbacks run once each, in order, after the commit, on the ending thread, with the store's lock released")
  void callbacksRunAfterCommit() throws Exception {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    Thread testThread = Thread.currentThread();
    List<Object> seenFromAnotherThread = new ArrayList<>();
    update(tx -> {
      tx.state().setTarget(CheckpointRequestId.of(3));
      tx.afterCompletion(committed -> {
        calls.add("first " + committed + (Thread.currentThread() == testThread ? " here" : " elsewhere"));
        // Another thread can start a transaction: the lock is released, and it sees the commit.
        try {
          seenFromAnotherThread.add(CompletableFuture
              .supplyAsync(() -> store.<Optional<CheckpointRequestId>>inTransaction(other -> other.state().target()))
              .orTimeout(10, TimeUnit.SECONDS).join());
        } catch (java.util.concurrent.CompletionException e) {
          seenFromAnotherThread.add("another thread could not start a transaction: " + e.getCause());
        }
      });
      tx.afterCompletion(committed -> calls.add("second " + committed));
      assertThat(calls).as("nothing runs before the transaction ends").isEmpty();
    });
    assertThat(calls).containsExactly("first true here", "second true");
    assertThat(seenFromAnotherThread).containsExactly(Optional.of(CheckpointRequestId.of(3)));
    update(tx -> tx.state().setTarget(CheckpointRequestId.of(4)));
    assertThat(calls).as("a later transaction does not run the old callbacks again").hasSize(2);
  }

  @Test
  @DisplayName("callbacks of a rolled-back transaction are told false, once")
  void callbacksOfARollbackAreToldFalse() {
    List<Boolean> calls = new ArrayList<>();
    IllegalStateException thrown = new IllegalStateException("roll back");
    Throwable caught = catchThrowable(() -> store.inTransaction(tx -> {
      tx.afterCompletion(calls::add);
      tx.state().setTarget(CheckpointRequestId.of(3));
      throw thrown;
    }));
    assertThat(caught).isSameAs(thrown);
    assertThat(calls).containsExactly(false);
    assertThat(target()).isEmpty();
    assertThat(calls).containsExactly(false);
  }

  @Test
  @DisplayName("callbacks registered in nested work run once, at the end of the outermost transaction")
  void nestedCallbacksRunAtTheOuterEnd() {
    withinDeadline(NESTING_RULE, () -> {
      List<String> calls = new ArrayList<>();
      update(outer -> {
        outer.afterCompletion(committed -> calls.add("outer " + committed));
        store.inTransaction(inner -> {
          inner.afterCompletion(committed -> calls.add("inner " + committed));
          return store.inTransaction(innermost -> {
            innermost.afterCompletion(committed -> calls.add("innermost " + committed));
            return null;
          });
        });
        assertThat(calls).as("nothing runs when nested work ends").isEmpty();
      });
      assertThat(calls).containsExactly("outer true", "inner true", "innermost true");
      return null;
    });
  }

  @Test
  @DisplayName("an outer rollback tells the nested work's callbacks false")
  void nestedCallbacksOfAnOuterRollback() {
    withinDeadline(NESTING_RULE, () -> {
      List<Boolean> calls = new ArrayList<>();
      catchThrowable(() -> store.inTransaction(outer -> {
        store.inTransaction(inner -> {
          inner.afterCompletion(calls::add);
          return null;
        });
        throw new IllegalStateException("outer fails");
      }));
      assertThat(calls).containsExactly(false);
      return null;
    });
  }

  @Test
  @DisplayName("a failed nested call that the outer catches: its callbacks say whether its changes committed")
  void callbacksOfACaughtInnerFailure() {
    withinDeadline(NESTING_RULE, () -> {
      List<String> calls = new ArrayList<>();
      update(outer -> {
        outer.afterCompletion(committed -> calls.add("outer " + committed));
        catchThrowable(() -> store.inTransaction(inner -> {
          inner.afterCompletion(committed -> calls.add("inner " + committed));
          inner.state().setLastSeen(WriteCheckpoint.of(4));
          throw new IllegalStateException("inner fails, outer catches");
        }));
      });
      boolean innerKept = expectation(Expectation.INNER_FAILURE_CAUGHT_BY_OUTER) == InnerFailure.KEEPS_INNER_CHANGES;
      assertThat(lastSeen().isPresent()).as(describe(Expectation.INNER_FAILURE_CAUGHT_BY_OUTER)).isEqualTo(innerKept);
      assertThat(calls).containsExactly("outer true", "inner " + innerKept);
      return null;
    });
  }

  @Test
  @DisplayName("a callback that throws does not stop the others, nor the transaction's result")
  void throwingCallbackDoesNotStopTheOthers() {
    List<String> calls = new ArrayList<>();
    String result = withRootLogHandlersMuted(() -> store.inTransaction(tx -> {
      tx.afterCompletion(committed -> {
        calls.add("throws");
        throw new IllegalStateException("a callback fails (expected by the test)");
      });
      tx.afterCompletion(committed -> {
        calls.add("errs");
        throw new AssertionError("a callback fails with an error (expected by the test)");
      });
      tx.afterCompletion(committed -> calls.add("runs " + committed));
      tx.state().setTarget(CheckpointRequestId.of(6));
      return "result";
    }));
    assertThat(result).isEqualTo("result");
    assertThat(calls).containsExactly("throws", "errs", "runs true");
    assertThat(target()).contains(CheckpointRequestId.of(6));
  }

  @Test
  @DisplayName("a callback may start a new transaction; its own callbacks run after it")
  void callbackMayUseTheStore() {
    withinDeadline(CALLBACK_LOCK_RULE, () -> {
      List<String> calls = new ArrayList<>();
      update(tx -> tx.afterCompletion(committed -> {
        calls.add("first " + committed);
        store.inTransaction(again -> {
          again.state().setTarget(CheckpointRequestId.of(8));
          again.afterCompletion(c -> calls.add("second " + c));
          return null;
        });
      }));
      assertThat(calls).containsExactly("first true", "second true");
      assertThat(target()).contains(CheckpointRequestId.of(8));
      return null;
    });
  }

  // Joined stores: a caller's transaction that the store joins

  @Test
  @DisplayName("joined: callbacks run when the caller commits, told true, once")
  void joinedCallbacksRunAtTheCallersCommit() {
    try (CallerConnection caller = callerConnectionOrNone()) {
      if (caller == null) {
        return;
      }
      List<String> calls = new ArrayList<>();
      caller.begin();
      caller.store().inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        tx.afterCompletion(committed -> calls.add("outer " + committed));
        return caller.store().inTransaction(nested -> {
          nested.afterCompletion(committed -> calls.add("nested " + committed));
          return null;
        });
      });
      if (expectation(Expectation.CALLER_COMMIT_OBSERVED)) {
        assertThat(calls).as("nothing runs before the caller commits").isEmpty();
      } else {
        assertThat(calls).as(describe(Expectation.CALLER_COMMIT_OBSERVED))
            .containsExactly("outer true", "nested true");
      }
      caller.commit();
      assertThat(calls).containsExactly("outer true", "nested true");
      assertThat(caller.store().<Optional<CheckpointRequestId>>inTransaction(tx -> tx.state().target()))
          .contains(CheckpointRequestId.of(3));
      assertThat(calls).as("once").hasSize(2);
    }
  }

  @Test
  @DisplayName("joined: callbacks registered in a caller's transaction that rolls back are told false")
  void joinedCallbacksOfTheCallersRollback() {
    try (CallerConnection caller = callerConnectionOrNone()) {
      if (caller == null) {
        return;
      }
      List<Boolean> calls = new ArrayList<>();
      caller.begin();
      caller.store().inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        tx.afterCompletion(calls::add);
        return null;
      });
      caller.store().inTransaction(tx -> {
        tx.afterCompletion(calls::add);
        return null;
      });
      caller.rollback();
      if (expectation(Expectation.CALLER_COMMIT_OBSERVED)) {
        assertThat(calls).containsExactly(false, false);
      } else {
        assertThat(calls).as(describe(Expectation.CALLER_COMMIT_OBSERVED)).containsExactly(true, true);
      }
      assertThat(caller.store().<Optional<CheckpointRequestId>>inTransaction(tx -> tx.state().target()))
          .as("the caller's rollback undid the store's change").isEmpty();
      caller.store().inTransaction(tx -> tx.uploadQueue().size()); // a later own transaction
      assertThat(calls).as("once").hasSize(2);
    }
  }

  @Test
  @DisplayName("joined: a failing call into the caller's transaction tells its callbacks false at once; the caller's transaction goes on")
  void joinedFailingCallIsToldFalse() {
    try (CallerConnection caller = callerConnectionOrNone()) {
      if (caller == null) {
        return;
      }
      List<String> calls = new ArrayList<>();
      caller.begin();
      IllegalStateException thrown = new IllegalStateException("joined work fails");
      Throwable caught = catchThrowable(() -> caller.store().inTransaction(tx -> {
        tx.afterCompletion(committed -> calls.add("failed " + committed));
        tx.state().setTarget(CheckpointRequestId.of(3));
        throw thrown;
      }));
      assertThat(caught).isSameAs(thrown);
      assertThat(calls).containsExactly("failed false");
      caller.store().inTransaction(tx -> {
        tx.state().setLastRequested(CheckpointRequestId.of(4));
        tx.afterCompletion(committed -> calls.add("later " + committed));
        return null;
      });
      caller.commit();
      assertThat(calls).containsExactly("failed false", "later true");
      assertThat(caller.store().<Optional<CheckpointRequestId>>inTransaction(tx -> tx.state().target())).isEmpty();
      assertThat(caller.store().<Optional<CheckpointRequestId>>inTransaction(tx -> tx.state().lastRequested()))
          .contains(CheckpointRequestId.of(4));
    }
  }

  @Test
  @DisplayName("joined: without a caller's transaction the store's own transaction tells its callbacks at once")
  void joinedStoreOwnTransactionCallbacks() {
    try (CallerConnection caller = callerConnectionOrNone()) {
      if (caller == null) {
        return;
      }
      List<Boolean> calls = new ArrayList<>();
      caller.store().inTransaction(tx -> {
        tx.afterCompletion(calls::add);
        return null;
      });
      assertThat(calls).containsExactly(true);
      catchThrowable(() -> caller.store().inTransaction(tx -> {
        tx.afterCompletion(calls::add);
        throw new IllegalStateException("roll back");
      }));
      assertThat(calls).containsExactly(true, false);
    }
  }

  /**
   * Runs {@code body} on a thread of its own and waits for it at most {@link #blockingDeadline()}:
   * a store that blocks (a nested call that waits for the outer transaction's lock, which JUnit's
   * timeout cannot interrupt) fails with the rule it breaks instead of hanging the build. What the
   * body throws is rethrown unchanged.
   */
  private <T> T withinDeadline(String rule, Callable<T> body) {
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

  /**
   * Runs {@code action} with the JDK logging root handlers detached: a store logs the failures of
   * callbacks (through {@code System.Logger}, backed by JDK logging by default), and the failures
   * this contract provokes on purpose need not fill the build output.
   */
  private static <T> T withRootLogHandlersMuted(Supplier<T> action) {
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    java.util.logging.Handler[] handlers = root.getHandlers();
    for (java.util.logging.Handler handler : handlers) {
      root.removeHandler(handler);
    }
    try {
      return action.get();
    } finally {
      for (java.util.logging.Handler handler : handlers) {
        root.addHandler(handler);
      }
    }
  }

  /**
   * The caller's connection for a joined test, or null when the store has none, which is right
   * only for a store that works on no JDBC connection.
   */
  private CallerConnection callerConnectionOrNone() {
    Optional<CallerConnection> caller = newCallerConnection();
    if (caller.isEmpty()) {
      Optional<Connection> connection = store.inTransaction(tx -> tx.unwrap(Connection.class));
      assertThat(connection)
          .as("a store on a JDBC connection supplies newCallerConnection()").isEmpty();
      return null;
    }
    return caller.get();
  }

  // ---------------------------------------------------------------------------------------------
  // Expectations an adapter may declare different

  /**
   * One expectation of this contract that an adapter may really not meet, with the value this
   * contract expects. Immutable and thread-safe.
   *
   * @param <T> the type of the expected value
   */
  public static final class Expectation<T> {

    /**
     * A fresh store's client id is a UUID string, as a PowerSync database creates it. An adapter
     * whose fresh store takes the client id from the host declares {@code false}.
     */
    public static final Expectation<Boolean> FRESH_CLIENT_ID_IS_A_UUID = new Expectation<>(
        "FRESH_CLIENT_ID_IS_A_UUID", "a fresh store's client id is a UUID string", Boolean.TRUE);

    /**
     * A rolled-back write gives its sequence number back: after the rollback
     * {@link io.checkpoints.ports.UploadQueue#lastSequence()} is what it was before. An adapter
     * whose sequence generator is not transactional declares {@code false}; the contract then
     * still requires that the next write gets a number greater than every committed one.
     */
    public static final Expectation<Boolean> ROLLBACK_RESTORES_LAST_SEQUENCE = new Expectation<>(
        "ROLLBACK_RESTORES_LAST_SEQUENCE",
        "a rolled-back write gives its sequence number back", Boolean.TRUE);

    /**
     * What happens to the changes of a nested transaction whose exception the outer work catches
     * (the outer then commits). A nested transaction joins the outer one, so by default the
     * changes it made before failing stay; an adapter that runs nested work in a savepoint
     * declares {@link InnerFailure#DISCARDS_INNER_CHANGES}.
     */
    public static final Expectation<InnerFailure> INNER_FAILURE_CAUGHT_BY_OUTER = new Expectation<>(
        "INNER_FAILURE_CAUGHT_BY_OUTER",
        "a nested transaction's changes before a failure that the outer catches",
        InnerFailure.KEEPS_INNER_CHANGES);

    /**
     * In a caller's transaction that a store joined, the callbacks run when the caller commits or
     * rolls back. An adapter whose database offers no way to observe the caller's commit declares
     * {@code false}: it then runs them at the end of its own outermost call, as committed.
     */
    public static final Expectation<Boolean> CALLER_COMMIT_OBSERVED = new Expectation<>(
        "CALLER_COMMIT_OBSERVED",
        "completion callbacks in a caller's transaction run at the caller's commit or rollback",
        Boolean.TRUE);

    private final String name;
    private final String description;
    private final T contractValue;

    private Expectation(String name, String description, T contractValue) {
      this.name = name;
      this.description = description;
      this.contractValue = contractValue;
    }

    /** @return what this contract expects when no difference is declared */
    public T contractValue() {
      return contractValue;
    }

    /** @return what the expectation is about */
    public String description() {
      return description;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * What a nested transaction's changes become when the outer work catches its exception.
   * Immutable and thread-safe.
   */
  public enum InnerFailure {
    /** The nested work joined the outer transaction: its changes stay and commit with it. */
    KEEPS_INNER_CHANGES,
    /** The nested work ran in a savepoint that was rolled back: its changes are gone. */
    DISCARDS_INNER_CHANGES
  }

  /**
   * The expectations an adapter does not meet, each with the adapter's value and the reason.
   * Immutable and thread-safe; {@link #differ} returns a new instance.
   */
  public static final class Differences {

    private static final Differences NONE = new Differences(Map.of());

    private final Map<Expectation<?>, Difference> declared;

    private record Difference(Object value, String reason) {}

    private Differences(Map<Expectation<?>, Difference> declared) {
      this.declared = declared;
    }

    /** @return no difference: the adapter meets every expectation */
    public static Differences none() {
      return NONE;
    }

    /**
     * Declares that the adapter differs from one expectation.
     *
     * @param expectation the expectation
     * @param value what the adapter does instead
     * @param reason why: the real difference of the adapter, as its documentation says it
     * @param <T> the value type
     * @return these differences plus the new one
     * @throws IllegalArgumentException if the reason is blank, the value is the contract's own,
     *     or the expectation was already declared
     */
    public <T> Differences differ(Expectation<T> expectation, T value, String reason) {
      Objects.requireNonNull(expectation, "expectation");
      Objects.requireNonNull(value, "value");
      if (reason == null || reason.isBlank()) {
        throw new IllegalArgumentException("say why the adapter differs from " + expectation);
      }
      if (value.equals(expectation.contractValue())) {
        throw new IllegalArgumentException(expectation + " = " + value + " is the contract's own value");
      }
      if (declared.containsKey(expectation)) {
        throw new IllegalArgumentException(expectation + " is declared twice");
      }
      Map<Expectation<?>, Difference> next = new LinkedHashMap<>(declared);
      next.put(expectation, new Difference(value, reason));
      return new Differences(Map.copyOf(next));
    }

    /**
     * @param expectation an expectation
     * @param <T> its value type
     * @return the adapter's value: the declared one, or the contract's
     */
    @SuppressWarnings("unchecked")
    public <T> T value(Expectation<T> expectation) {
      Difference difference = declared.get(expectation);
      return difference == null ? expectation.contractValue() : (T) difference.value();
    }

    /**
     * @param expectation an expectation
     * @return why the adapter differs, or empty when it does not
     */
    public Optional<String> reason(Expectation<?> expectation) {
      return Optional.ofNullable(declared.get(expectation)).map(Difference::reason);
    }
  }

  private <T> T expectation(Expectation<T> expectation) {
    return differences().value(expectation);
  }

  private String describe(Expectation<?> expectation) {
    Differences differences = differences();
    return expectation.description() + ": " + differences.value(expectation)
        + differences.reason(expectation).map(reason -> " (declared by the adapter: " + reason + ")")
            .orElse(" (the contract's expectation)");
  }

  // ---------------------------------------------------------------------------------------------
  // The kinds of change and failure of the rollback test

  /** One checkpoint key as a long, for the tests that treat the four keys alike. */
  enum Key {
    TARGET {
      @Override
      void set(CheckpointTransaction tx, long value) {
        tx.state().setTarget(CheckpointRequestId.of(value));
      }

      @Override
      Optional<Long> get(CheckpointTransaction tx) {
        return tx.state().target().map(CheckpointRequestId::value);
      }
    },
    LAST_REQUESTED {
      @Override
      void set(CheckpointTransaction tx, long value) {
        tx.state().setLastRequested(CheckpointRequestId.of(value));
      }

      @Override
      Optional<Long> get(CheckpointTransaction tx) {
        return tx.state().lastRequested().map(CheckpointRequestId::value);
      }
    },
    LAST_SEEN {
      @Override
      void set(CheckpointTransaction tx, long value) {
        tx.state().setLastSeen(WriteCheckpoint.of(value));
      }

      @Override
      Optional<Long> get(CheckpointTransaction tx) {
        return tx.state().lastSeen().map(WriteCheckpoint::value);
      }
    },
    LAST_APPLIED {
      @Override
      void set(CheckpointTransaction tx, long value) {
        tx.state().setLastApplied(WriteCheckpoint.of(value));
      }

      @Override
      Optional<Long> get(CheckpointTransaction tx) {
        return tx.state().lastApplied().map(WriteCheckpoint::value);
      }
    };

    abstract void set(CheckpointTransaction tx, long value);

    abstract Optional<Long> get(CheckpointTransaction tx);
  }

  /** Every kind of change a transaction can make, applied on top of {@link #fillEveryKey()}. */
  enum Change {
    SET_TARGET(tx -> tx.state().setTarget(CheckpointRequestId.of(123))),
    DELETE_TARGET(tx -> tx.state().deleteTarget()),
    SET_LAST_REQUESTED(tx -> tx.state().setLastRequested(CheckpointRequestId.of(124))),
    SET_LAST_SEEN(tx -> tx.state().setLastSeen(WriteCheckpoint.of(-125))),
    DELETE_LAST_SEEN(tx -> tx.state().deleteLastSeen()),
    SET_LAST_APPLIED(tx -> tx.state().setLastApplied(WriteCheckpoint.of(Long.MIN_VALUE))),
    DELETE_LAST_APPLIED(tx -> tx.state().deleteLastApplied()),
    ENQUEUE(tx -> tx.uploadQueue().enqueue(put("rolled-back"))),
    ENQUEUE_ARMING_GATE(tx -> tx.enqueueArmingGate(put("rolled-back-armed"))),
    REMOVE_THROUGH(tx -> tx.uploadQueue().removeThrough(MAX)),
    RAISE_USER_SEQUENCE(tx -> tx.userSequences().raise(ALICE, CheckpointRequestId.of(1000))),
    RAISE_NEW_USER_SEQUENCE(tx -> tx.userSequences().raise(CAROL, CheckpointRequestId.of(1))),
    RESET_USER_SEQUENCE(tx -> tx.userSequences().reset(BOB)),
    CLEAR(tx -> tx.clear(ClearFlags.HARD)),
    ALL_OF_THEM(null);

    private final Consumer<CheckpointTransaction> change;

    Change(Consumer<CheckpointTransaction> change) {
      this.change = change;
    }

    void apply(CheckpointTransaction tx) {
      if (change != null) {
        change.accept(tx);
        return;
      }
      for (Change each : values()) {
        if (each == ALL_OF_THEM) {
          continue;
        }
        each.apply(tx);
        if (each == SET_LAST_APPLIED) {
          // A write queued before the upload and the clear below remove it.
          tx.uploadQueue().enqueue(put("before-upload"));
        }
      }
      tx.uploadQueue().enqueue(put("after-clear"));
      tx.state().setTarget(CheckpointRequestId.MAX);
      tx.state().setLastSeen(WriteCheckpoint.of(0));
    }
  }

  /** The kinds of exception work can throw. */
  enum Failure {
    RUNTIME_EXCEPTION(() -> new IllegalStateException("work failed")),
    ARGUMENT_EXCEPTION(() -> new CheckpointArgumentException("bad value")),
    STATE_EXCEPTION(() -> new CheckpointStateException(
        CheckpointStateException.Reason.NO_ACTIVE_ITERATION, "No iteration is active")),
    ERROR(() -> new AssertionError("work failed with an error")),
    CHECKED_EXCEPTION(() -> new WorkFailedException("work failed with a checked exception"));

    private final Supplier<Throwable> factory;

    Failure(Supplier<Throwable> factory) {
      this.factory = factory;
    }

    Throwable create() {
      return factory.get();
    }
  }

  /** A checked exception, thrown by work that escapes the compiler's checks. */
  static final class WorkFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    WorkFailedException(String message) {
      super(message);
    }
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

  private Snapshot snapshot() {
    return read(Snapshot::of);
  }

  private void assertRolledBackTo(Snapshot before, Change change) {
    Snapshot after = snapshot();
    if (expectation(Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE)) {
      assertThat(after).as("state after rolling back %s", change).isEqualTo(before);
    } else {
      assertThat(after.lastSequence()).as(describe(Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE))
          .isGreaterThanOrEqualTo(before.lastSequence());
      assertThat(after.withLastSequence(before.lastSequence()))
          .as("state after rolling back %s", change).isEqualTo(before);
    }
    long next = write(tx -> tx.uploadQueue().enqueue(put("after-rollback")));
    assertThat(next).as("the next write's sequence").isGreaterThan(before.lastSequence());
  }

  /**
   * Sets every checkpoint key, queues two writes and gives alice and bob a user sequence.
   *
   * @return the last queued write's sequence number
   */
  private long fillEveryKey() {
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

  private long[] enqueue(int count) {
    long[] sequences = new long[count];
    for (int i = 0; i < count; i++) {
      int index = i;
      sequences[i] = write(tx -> tx.uploadQueue().enqueue(put("row-" + index)));
    }
    return sequences;
  }

  /** An open gate: target 5, last seen 5, last applied 5, counter 9. */
  private void openGate() {
    update(tx -> {
      tx.state().setTarget(CheckpointRequestId.of(5));
      tx.state().setLastSeen(WriteCheckpoint.of(5));
      tx.state().setLastApplied(WriteCheckpoint.of(5));
      tx.state().setLastRequested(CheckpointRequestId.of(9));
    });
  }

  private Optional<CheckpointRequestId> target() {
    return store.inTransaction(tx -> tx.state().target());
  }

  private Optional<CheckpointRequestId> lastRequested() {
    return store.inTransaction(tx -> tx.state().lastRequested());
  }

  private Optional<WriteCheckpoint> lastSeen() {
    return store.inTransaction(tx -> tx.state().lastSeen());
  }

  private Optional<WriteCheckpoint> lastApplied() {
    return store.inTransaction(tx -> tx.state().lastApplied());
  }

  private ClientId clientId() {
    return store.inTransaction(tx -> tx.state().clientId());
  }

  private boolean queueIsEmpty() {
    return store.inTransaction(tx -> tx.uploadQueue().isEmpty());
  }

  private long queueSize() {
    return store.inTransaction(tx -> tx.uploadQueue().size());
  }

  private long lastSequence() {
    return store.inTransaction(tx -> tx.uploadQueue().lastSequence());
  }

  private List<QueuedWrite> firstWrites(int limit) {
    return store.inTransaction(tx -> tx.uploadQueue().firstWrites(limit));
  }

  private List<QueuedWrite> firstTransaction() {
    return store.inTransaction(tx -> tx.uploadQueue().firstTransaction());
  }

  private long userCount() {
    return store.inTransaction(tx -> tx.userSequences().count());
  }

  private boolean reset(UserKey user) {
    return store.inTransaction(tx -> tx.userSequences().reset(user));
  }

  private Optional<Long> highest(UserKey user) {
    return read(tx -> tx.userSequences().highest(user).map(CheckpointRequestId::value));
  }

  private static LocalWrite put(String rowId) {
    return LocalWrite.put("items", rowId, "{}");
  }

  private <T> T read(Function<CheckpointTransaction, T> work) {
    return store.inTransaction(work::apply);
  }

  private <T> T write(Function<CheckpointTransaction, T> work) {
    return store.inTransaction(work::apply);
  }

  private void update(Consumer<CheckpointTransaction> work) {
    store.inTransaction(tx -> {
      work.accept(tx);
      return null;
    });
  }

  /** Runs {@code task} on {@code threads} threads that start together; returns their results. */
  private static <T> List<T> runConcurrently(int threads, ThreadTask<T> task) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<T> callable = () -> {
          ready.countDown();
          go.await();
          return task.run(thread);
        };
        futures.add(executor.submit(callable));
      }
      assertThat(ready.await(30, TimeUnit.SECONDS)).as("all threads started").isTrue();
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(120, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      executor.shutdownNow();
    }
  }

  @FunctionalInterface
  private interface ThreadTask<T> {
    T run(int thread) throws Exception;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable throwable) throws E {
    throw (E) throwable;
  }
}

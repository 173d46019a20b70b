package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
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
 * the upload queue and its sequence numbers; the per-user sequences; {@code clear}; rollback of
 * every kind of change on any exception; nested transactions; and serialised concurrent
 * read-modify-write transactions.
 *
 * <p>An adapter with a real difference from one of the few expectations listed in
 * {@link Expectation} declares it, with the reason, by overriding {@link #differences()}; the test
 * then checks the adapter's documented behaviour instead of skipping the case.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread; the
 * concurrency tests start their own threads on the store only.
 */
public abstract class CheckpointStoreContract {

  /** Users for the per-user sequence tests. */
  private static final UserKey ALICE = UserKey.forUserId("alice");
  private static final UserKey BOB = UserKey.forUserId("bob");
  private static final UserKey CAROL = UserKey.forUserId("carol");

  private static final long MAX = Long.MAX_VALUE;

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
  @DisplayName("incrementing the counter adds one and stores it")
  void incrementAddsOne(long value) {
    update(tx -> tx.state().setLastRequested(CheckpointRequestId.of(value)));
    assertThat(store.<Optional<CheckpointRequestId>>inTransaction(tx -> tx.state().incrementLastRequested()))
        .contains(CheckpointRequestId.of(value + 1));
    assertThat(lastRequested()).contains(CheckpointRequestId.of(value + 1));
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
    catchThrowable(() -> store.inTransaction(tx -> {
      tx.state().incrementLastRequested();
      throw new IllegalStateException("roll back");
    }));
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

  @Test
  @DisplayName("armGate sets the target to MAX and deletes last seen and last applied, nothing else")
  void armGateArms() {
    openGate();
    update(tx -> tx.state().armGate());
    assertThat(target()).contains(CheckpointRequestId.MAX);
    assertThat(lastSeen()).isEmpty();
    assertThat(lastApplied()).isEmpty();
    assertThat(lastRequested()).contains(CheckpointRequestId.of(9));
    assertThat(queueIsEmpty()).isTrue();
    update(tx -> tx.state().armGate());
    assertThat(target()).as("arming twice").contains(CheckpointRequestId.MAX);
  }

  // "logs": an adapter's test may declare it insert-only for SQL writes, which must not matter here.
  @ParameterizedTest
  @ValueSource(strings = {"items", "logs"})
  @DisplayName("enqueueArmingGate queues the write and arms the gate, in one transaction")
  void enqueueArmingGateQueuesAndArms(String table) {
    long before = write(tx -> tx.uploadQueue().enqueue(put("first")));
    openGate();
    long sequence = write(tx -> {
      long queued = tx.enqueueArmingGate(new LocalWrite(LocalWrite.Operation.PUT, table, "x", "{\"n\":1}", false));
      assertThat(tx.state().target()).as("armed inside the transaction").contains(CheckpointRequestId.MAX);
      return queued;
    });
    assertThat(sequence).isGreaterThan(before).isEqualTo(lastSequence());
    assertThat(queueSize()).isEqualTo(2);
    assertThat(target()).contains(CheckpointRequestId.MAX);
    assertThat(lastSeen()).isEmpty();
    assertThat(lastApplied()).isEmpty();
    assertThat(lastRequested()).contains(CheckpointRequestId.of(9));
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
    update(outer -> {
      outer.state().setTarget(CheckpointRequestId.of(5));
      long inner = store.inTransaction(tx -> {
        assertThat(tx.state().target()).as("outer change seen inside").contains(CheckpointRequestId.of(5));
        tx.state().setLastSeen(WriteCheckpoint.of(7));
        return tx.uploadQueue().enqueue(put("n"));
      });
      assertThat(outer.state().lastSeen()).as("inner change seen outside").contains(WriteCheckpoint.of(7));
      assertThat(outer.uploadQueue().lastSequence()).isEqualTo(inner);
    });
    assertThat(target()).contains(CheckpointRequestId.of(5));
    assertThat(lastSeen()).contains(WriteCheckpoint.of(7));
    assertThat(queueSize()).isEqualTo(1);
  }

  @Test
  @DisplayName("an exception in the outer transaction after an inner success rolls back both")
  void outerFailureRollsBackInnerChanges() {
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
  }

  @Test
  @DisplayName("an exception from an inner transaction that the outer lets through rolls back all")
  void innerFailurePropagatingRollsBackAll() {
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
  }

  @Test
  @DisplayName("an inner failure that the outer catches: the outer commits, inner changes as declared")
  void innerFailureCaughtByTheOuter() {
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
    ARM_GATE(tx -> tx.state().armGate()),
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

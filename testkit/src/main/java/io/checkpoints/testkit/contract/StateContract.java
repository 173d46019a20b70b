package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.contract.CheckpointStoreContract.Expectation;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tests of the checkpoint keys, the client id, the per-user sequences and {@code clear}.
 *
 * <p>One part of the contract suite of {@link CheckpointStoreContract}: a store's test extends
 * {@link CheckpointStoreContract}, never this class, which only the suite's own classes can extend.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread.
 */
public abstract class StateContract extends ContractBase {

  /** Package-private: only the next part of the suite extends it (see the class comment). */
  StateContract() {}

  // ---------------------------------------------------------------------------------------------
  // Absent and present keys

  /** What a fresh store and a clear both leave: none of the four keys, and no queued write. */
  private static void assertNoKeyAndAnEmptyQueue(CheckpointTransaction tx) {
    assertThat(tx.state().target()).as("target").isEmpty();
    assertThat(tx.state().lastRequested()).as("last requested").isEmpty();
    assertThat(tx.state().lastSeen()).as("last seen").isEmpty();
    assertThat(tx.state().lastApplied()).as("last applied").isEmpty();
    assertThat(tx.uploadQueue().isEmpty()).as("queue is empty").isTrue();
    assertThat(tx.uploadQueue().size()).as("queue size").isZero();
  }

  @Test
  @DisplayName("a fresh store has no checkpoint key, an empty queue and no user sequence")
  void freshStoreIsEmpty() {
    read(tx -> {
      assertNoKeyAndAnEmptyQueue(tx);
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

  /** Every signed 64-bit edge, for last seen and for last applied. */
  static Stream<Arguments> writeCheckpointKeysAndValues() {
    long[] values = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -3, -1, 0, 1, 42, MAX - 1, MAX};
    return Stream.of(Key.LAST_SEEN, Key.LAST_APPLIED)
        .flatMap(key -> LongStream.of(values).mapToObj(value -> Arguments.of(key, value)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("writeCheckpointKeysAndValues")
  @DisplayName("last seen and last applied read back exactly as sent, negative, zero and extremes included")
  void writeCheckpointKeysRoundTrip(Key key, long value) {
    update(tx -> key.set(tx, value));
    Key other = key == Key.LAST_SEEN ? Key.LAST_APPLIED : Key.LAST_SEEN;
    assertThat(store.<Optional<Long>>inTransaction(key::get)).contains(value);
    assertThat(store.<Optional<Long>>inTransaction(other::get)).as(other + " untouched").isEmpty();
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
      assertNoKeyAndAnEmptyQueue(tx);
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
  // The checkpoint keys, for the tests that treat the four alike

  /** One checkpoint key as a long, for the tests that treat the four keys alike. */
  enum Key {
    TARGET((tx, value) -> tx.state().setTarget(CheckpointRequestId.of(value)),
        tx -> tx.state().target().map(CheckpointRequestId::value)),
    LAST_REQUESTED((tx, value) -> tx.state().setLastRequested(CheckpointRequestId.of(value)),
        tx -> tx.state().lastRequested().map(CheckpointRequestId::value)),
    LAST_SEEN((tx, value) -> tx.state().setLastSeen(WriteCheckpoint.of(value)),
        tx -> tx.state().lastSeen().map(WriteCheckpoint::value)),
    LAST_APPLIED((tx, value) -> tx.state().setLastApplied(WriteCheckpoint.of(value)),
        tx -> tx.state().lastApplied().map(WriteCheckpoint::value));

    private final ObjLongConsumer<CheckpointTransaction> setter;
    private final Function<CheckpointTransaction, Optional<Long>> getter;

    Key(ObjLongConsumer<CheckpointTransaction> setter,
        Function<CheckpointTransaction, Optional<Long>> getter) {
      this.setter = setter;
      this.getter = getter;
    }

    void set(CheckpointTransaction tx, long value) {
      setter.accept(tx, value);
    }

    Optional<Long> get(CheckpointTransaction tx) {
      return getter.apply(tx);
    }
  }
}

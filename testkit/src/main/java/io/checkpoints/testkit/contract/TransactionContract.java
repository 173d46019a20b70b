package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.contract.CheckpointStoreContract.Expectation;
import io.checkpoints.testkit.contract.CheckpointStoreContract.InnerFailure;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tests of transactions: their results, rollback on any exception, nesting, concurrent
 * transactions and a closed store.
 *
 * <p>One part of the contract suite of {@link CheckpointStoreContract}: a store's test extends
 * {@link CheckpointStoreContract}, never this class, which only the suite's own classes can extend.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread.
 */
public abstract class TransactionContract extends UploadQueueContract {

  /** Package-private: only the next part of the suite extends it (see the class comment). */
  TransactionContract() {}

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
  // The kinds of change and failure of the rollback test

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
  // Helpers of the rollback and concurrency tests

  void assertRolledBackTo(Snapshot before, Change change) {
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

  /** Runs {@code task} on {@code threads} threads that start together; returns their results. */
  static <T> List<T> runConcurrently(int threads, ThreadTask<T> task) throws Exception {
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
  interface ThreadTask<T> {
    T run(int thread) throws Exception;
  }

}

package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.contract.CheckpointStoreContract.CallerConnection;
import io.checkpoints.testkit.contract.CheckpointStoreContract.Expectation;
import io.checkpoints.testkit.contract.CheckpointStoreContract.InnerFailure;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tests of completion callbacks, in the store's own transactions and in a caller's
 * transaction that the store joins ({@link #newCallerConnection()}).
 *
 * <p>One part of the contract suite of {@link CheckpointStoreContract}: a store's test extends
 * {@link CheckpointStoreContract}, never this class, which only the suite's own classes can extend.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread.
 */
public abstract class CompletionCallbackContract extends TransactionContract {

  /** Package-private: only the next part of the suite extends it (see the class comment). */
  CompletionCallbackContract() {}

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
}

package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.Scheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the parts of one client share: the store, the scheduler, one lock, the active iteration,
 * the current epoch, and the registry of waiters. The facets get it from the client that
 * composes them; none of them reaches back for the client.
 *
 * <p>One lock order: the store's transaction first, then this lock. {@link #write} enters the
 * store and then locks, so a host that calls the client from inside its own store transaction
 * takes them in the same order, and no thread ever waits for the store while holding this lock.
 *
 * <p>In-memory state follows the store's transaction: a change made inside one is undone if the
 * transaction rolls back ({@link #onRollback}), and what it announces (listeners, completed
 * futures) happens only once it committed ({@link #afterCommit}), after every lock is released.
 *
 * <p>Thread-safe.
 */
final class ClientState {

  private static final System.Logger LOG = System.getLogger(ClientState.class.getName());

  private final ReentrantLock lock = new ReentrantLock();
  final CheckpointStore store;
  final Scheduler scheduler;

  // Guarded by lock.
  final Waiters waiters = new Waiters();
  private Iteration iteration;
  private Epoch epoch = Epoch.FIRST;
  /** Whether an iteration was ever started on this client. */
  private boolean everStarted;
  /** The journal of the store transaction each thread has open. */
  private final Map<Thread, Journal> journals = new HashMap<>(4);
  /** Effects of in-memory-only operations, run when the outermost lock is released. */
  private final List<Runnable> effectsAfterUnlock = new ArrayList<>();

  ClientState(CheckpointStore store, Scheduler scheduler) {
    this.store = Objects.requireNonNull(store, "store");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /** Runs {@code work} in one store transaction with the lock held inside it. */
  <T> T write(Function<CheckpointTransaction, T> work) {
    return store.inTransaction(tx -> {
      lock.lock();
      try {
        if (!journals.containsKey(Thread.currentThread())) {
          Journal opened = new Journal(Thread.currentThread());
          journals.put(opened.owner, opened);
          tx.afterCompletion(committed -> settle(opened, committed));
        }
        return work.apply(tx);
      } finally {
        unlock();
      }
    });
  }

  /** Runs in-memory-only {@code work} with the lock held. */
  <T> T locked(Supplier<T> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      unlock();
    }
  }

  /** Records how to undo an in-memory change if the open store transaction rolls back. */
  void onRollback(Runnable undo) {
    assert lock.isHeldByCurrentThread();
    Journal journal = journals.get(Thread.currentThread());
    if (journal != null) {
      journal.undo.push(undo);
    }
  }

  /**
   * Runs {@code effect} once the change that caused it is final: after the open store transaction
   * committed (dropped if it rolls back), or, outside a transaction, when the lock is released.
   * Either way no lock is held then.
   */
  void afterCommit(Runnable effect) {
    assert lock.isHeldByCurrentThread();
    Journal journal = journals.get(Thread.currentThread());
    if (journal != null) {
      journal.effects.add(effect);
    } else {
      effectsAfterUnlock.add(effect);
    }
  }

  /**
   * Makes a change of the waiter registry follow the store transaction: its watches come back if
   * the transaction rolls back, and are told once it committed.
   */
  void settle(Waiters.Change change) {
    onRollback(() -> change.removed().forEach(waiters::add));
    afterCommit(change.announce());
  }

  Iteration iteration() {
    return iteration;
  }

  Iteration requireIteration() {
    if (iteration == null) {
      throw new CheckpointStateException(
          CheckpointStateException.Reason.NO_ACTIVE_ITERATION, "No iteration is active");
    }
    return iteration;
  }

  void setIteration(Iteration next) {
    Iteration previous = iteration;
    boolean previouslyStarted = everStarted;
    iteration = next;
    everStarted |= next != null;
    onRollback(() -> {
      iteration = previous;
      everStarted = previouslyStarted;
    });
  }

  boolean everStarted() {
    return everStarted;
  }

  Epoch epoch() {
    return epoch;
  }

  /**
   * @throws io.checkpoints.ports.CheckpointWaitException if {@code expected} is no longer the
   *     current epoch (a clear or a user switch came in between)
   */
  void requireEpoch(Epoch expected, String what) {
    if (!epoch.equals(expected)) {
      throw expected.endedBy(epoch, what);
    }
  }

  void setEpoch(Epoch next) {
    Epoch previous = epoch;
    epoch = next;
    onRollback(() -> epoch = previous);
  }

  private void settle(Journal settled, boolean committed) {
    lock.lock();
    try {
      journals.remove(settled.owner, settled);
      if (!committed) {
        settled.undo.forEach(Runnable::run);
      }
    } finally {
      lock.unlock();
    }
    if (committed) {
      settled.effects.forEach(ClientState::runQuietly);
    }
  }

  private void unlock() {
    List<Runnable> effects = List.of();
    if (lock.getHoldCount() == 1 && !effectsAfterUnlock.isEmpty()) {
      effects = new ArrayList<>(effectsAfterUnlock);
      effectsAfterUnlock.clear();
    }
    lock.unlock();
    effects.forEach(ClientState::runQuietly);
  }

  private static void runQuietly(Runnable effect) {
    try {
      effect.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a sync status callback failed", e);
    }
  }

  /** The in-memory side of one store transaction. */
  private static final class Journal {
    final Thread owner;
    final Deque<Runnable> undo = new ArrayDeque<>();
    final List<Runnable> effects = new ArrayList<>();

    Journal(Thread owner) {
      this.owner = owner;
    }
  }
}

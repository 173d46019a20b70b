package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The one registry of everything that waits for an applied checkpoint: status waiters and the
 * handles of accepted requests. A watch completes only on a checkpoint applied in its own epoch
 * with {@code write_checkpoint >= id}. Not thread-safe: guarded by the client's lock; the
 * callbacks it returns run after the lock is released.
 */
final class Waiters {

  /**
   * Something waiting for an applied id.
   */
  interface Watch {
    /** @return the id it waits for */
    long id();

    /** @return the epoch whose checkpoints may complete it */
    Epoch epoch();

    /**
     * @return whether it keeps watching when the connection ends (a handle), or is removed and
     *     failed (a status waiter)
     */
    boolean survivesDisconnect();

    /**
     * A checkpoint acknowledging it was applied; it is removed from the registry.
     *
     * @return what completes its futures: run after every watch of the apply was marked, so that
     *     nobody woken by one future sees another watch of the same apply not yet synced
     */
    Runnable synced(WriteCheckpoint writeCheckpoint);

    /**
     * The wait was interrupted.
     *
     * @param failure why
     * @param removed whether it was removed from the registry for good
     */
    void interrupted(CheckpointWaitException failure, boolean removed);
  }

  /**
   * What one event did to the registry: the watches it removed (put back if the store
   * transaction rolls back) and what tells them (run once it committed).
   */
  record Change(List<Watch> removed, Runnable announce) {}

  private final NavigableMap<Long, Set<Watch>> byId = new TreeMap<>();
  private int size;

  void add(Watch watch) {
    if (byId.computeIfAbsent(watch.id(), id -> new LinkedHashSet<>(2)).add(watch)) {
      size++;
    }
  }

  void remove(Watch watch) {
    Set<Watch> atId = byId.get(watch.id());
    if (atId != null && atId.remove(watch)) {
      size--;
      if (atId.isEmpty()) {
        byId.remove(watch.id());
      }
    }
  }

  int size() {
    return size;
  }

  /**
   * A checkpoint was applied in {@code epoch}: removes the watches it acknowledges.
   *
   * @return the change; its announcement completes them
   */
  Change applied(Epoch epoch, WriteCheckpoint writeCheckpoint) {
    List<Watch> synced = new ArrayList<>();
    Map<Long, Set<Watch>> due = byId.headMap(writeCheckpoint.value(), true);
    for (Set<Watch> atId : due.values()) {
      atId.removeIf(watch -> {
        boolean mine = watch.epoch().equals(epoch);
        if (mine) {
          synced.add(watch);
        }
        return mine;
      });
    }
    due.values().removeIf(Set::isEmpty);
    size -= synced.size();
    return new Change(synced, () -> synced.stream()
        .map(watch -> watch.synced(writeCheckpoint))
        .toList()
        .forEach(Runnable::run));
  }

  /**
   * The connection ended: status waiters are removed and fail, handles stay and fail only their
   * current waits.
   */
  Change disconnected(CheckpointWaitException failure) {
    List<Watch> removed = new ArrayList<>();
    List<Watch> kept = new ArrayList<>();
    forEachRemoving(watch -> {
      if (watch.survivesDisconnect()) {
        kept.add(watch);
        return false;
      }
      removed.add(watch);
      return true;
    });
    return new Change(removed, () -> {
      removed.forEach(watch -> watch.interrupted(failure, true));
      kept.forEach(watch -> watch.interrupted(failure, false));
    });
  }

  /** Removes and fails every watch that is not of {@code current}: its epoch has ended. */
  Change epochEnded(Epoch current, CheckpointWaitException failure) {
    return removeAndFail(watch -> !watch.epoch().equals(current), failure);
  }

  /** Removes and fails every watch. */
  Change failAll(CheckpointWaitException failure) {
    return removeAndFail(watch -> true, failure);
  }

  /** Removes and fails the watches that survive a disconnect (handles). */
  Change failHandles(CheckpointWaitException failure) {
    return removeAndFail(Watch::survivesDisconnect, failure);
  }

  private Change removeAndFail(Predicate<Watch> which, CheckpointWaitException failure) {
    List<Watch> removed = new ArrayList<>();
    forEachRemoving(watch -> {
      boolean remove = which.test(watch);
      if (remove) {
        removed.add(watch);
      }
      return remove;
    });
    return new Change(removed, () -> removed.forEach(watch -> watch.interrupted(failure, true)));
  }

  private void forEachRemoving(Predicate<Watch> remove) {
    for (Set<Watch> atId : byId.values()) {
      int before = atId.size();
      atId.removeIf(remove);
      size -= before - atId.size();
    }
    byId.values().removeIf(Set::isEmpty);
  }
}

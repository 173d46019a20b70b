package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The one registry of everything that waits for an applied checkpoint: status waiters and the
 * handles of accepted requests. A watch completes only on a checkpoint applied in its own epoch
 * with {@code write_checkpoint >= id}. Not thread-safe: guarded by the client's lock; the
 * callbacks it returns run after the lock is released.
 *
 * <p>Hosts may keep 100,000 handles open (docs/performance.md), so an entry is kept small: one map
 * entry per id whose value is the watch itself, or an array in the rare case that several watch
 * the same id; the watch carries its id and epoch as fields, not as objects of its own.
 */
final class Waiters {

  /**
   * Something waiting for an applied id. An abstract class rather than an interface so that a
   * handle can be its own entry (no separate tracker object per handle) without making these
   * methods part of its public API.
   */
  abstract static class Watch {
    /** The id it waits for. */
    final long id;
    /** The epoch whose checkpoints may complete it. */
    final Epoch epoch;

    Watch(long id, Epoch epoch) {
      this.id = id;
      this.epoch = epoch;
    }

    /**
     * @return whether it keeps watching when the connection ends (a handle), or is removed and
     *     failed (a status waiter)
     */
    abstract boolean survivesDisconnect();

    /**
     * A checkpoint acknowledging it was applied; it was removed from the registry. Called for
     * every watch of the apply before any {@link #announceSynced}, so that nobody woken by one
     * future sees another watch of the same apply not yet synced.
     */
    abstract void markSynced(WriteCheckpoint writeCheckpoint);

    /** Completes what waits on it, after every watch of the apply was marked. */
    abstract void announceSynced(WriteCheckpoint writeCheckpoint);

    /**
     * The wait was interrupted.
     *
     * @param failure why
     * @param removed whether it was removed from the registry for good
     */
    abstract void interrupted(CheckpointWaitException failure, boolean removed);
  }

  /**
   * What one event did to the registry: the watches it removed (put back if the store
   * transaction rolls back) and what tells them (run once it committed).
   */
  record Change(List<Watch> removed, Runnable announce) {}

  /** Per id: the {@link Watch}, or a {@code Watch[]} of two or more. */
  private final NavigableMap<Long, Object> byId = new TreeMap<>();
  private int size;

  void add(Watch watch) {
    Object at = byId.get(watch.id);
    if (at == null) {
      byId.put(watch.id, watch);
    } else if (at instanceof Watch one) {
      if (one == watch) {
        return;
      }
      byId.put(watch.id, new Watch[] {one, watch});
    } else {
      Watch[] several = (Watch[]) at;
      if (Arrays.asList(several).contains(watch)) {
        return;
      }
      Watch[] more = Arrays.copyOf(several, several.length + 1);
      more[several.length] = watch;
      byId.put(watch.id, more);
    }
    size++;
  }

  void remove(Watch watch) {
    Object at = byId.get(watch.id);
    if (at == watch) {
      byId.remove(watch.id);
      size--;
    } else if (at instanceof Watch[] several) {
      Object rest = without(several, candidate -> candidate == watch, null);
      if (rest != several) {
        byId.put(watch.id, rest);
        size--;
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
    removeFrom(byId.headMap(writeCheckpoint.value(), true), watch -> watch.epoch.equals(epoch), synced);
    return new Change(synced, () -> {
      synced.forEach(watch -> watch.markSynced(writeCheckpoint));
      synced.forEach(watch -> watch.announceSynced(writeCheckpoint));
    });
  }

  /**
   * The connection ended: status waiters are removed and fail, handles stay and fail only their
   * current waits.
   */
  Change disconnected(CheckpointWaitException failure) {
    List<Watch> removed = new ArrayList<>();
    List<Watch> kept = new ArrayList<>();
    removeFrom(byId, watch -> {
      if (watch.survivesDisconnect()) {
        kept.add(watch);
        return false;
      }
      return true;
    }, removed);
    return new Change(removed, () -> {
      removed.forEach(watch -> watch.interrupted(failure, true));
      kept.forEach(watch -> watch.interrupted(failure, false));
    });
  }

  /** Removes and fails every watch that is not of {@code current}: its epoch has ended. */
  Change epochEnded(Epoch current, CheckpointWaitException failure) {
    return removeAndFail(watch -> !watch.epoch.equals(current), failure);
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
    removeFrom(byId, which, removed);
    return new Change(removed, () -> removed.forEach(watch -> watch.interrupted(failure, true)));
  }

  /** Removes the watches of {@code range} (a view of the registry) that {@code remove} selects. */
  private void removeFrom(Map<Long, Object> range, Predicate<Watch> remove, List<Watch> removed) {
    int before = removed.size();
    Iterator<Map.Entry<Long, Object>> entries = range.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<Long, Object> entry = entries.next();
      Object at = entry.getValue();
      if (at instanceof Watch one) {
        if (remove.test(one)) {
          removed.add(one);
          entries.remove();
        }
        continue;
      }
      Object rest = without((Watch[]) at, remove, removed);
      if (rest == null) {
        entries.remove();
      } else if (rest != at) {
        entry.setValue(rest);
      }
    }
    size -= removed.size() - before;
  }

  /**
   * {@code several} without the watches {@code remove} selects (added to {@code removed} unless
   * null): the same array if none, else a smaller array, the one watch left, or null.
   */
  private static Object without(Watch[] several, Predicate<Watch> remove, List<Watch> removed) {
    List<Watch> kept = new ArrayList<>(several.length);
    for (Watch watch : several) {
      if (!remove.test(watch)) {
        kept.add(watch);
      } else if (removed != null) {
        removed.add(watch);
      }
    }
    if (kept.size() == several.length) {
      return several;
    }
    return kept.isEmpty() ? null : kept.size() == 1 ? kept.get(0) : kept.toArray(Watch[]::new);
  }
}

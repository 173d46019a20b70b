package io.checkpoints.testkit.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Waiter soundness, checked from what a harness observes and not from the client's internals: the
 * harness reports every waiter or request handle it opens (with the epoch it was made in), every
 * full apply (with the epoch and the write checkpoint), and every completion or failure it sees.
 * The ledger then holds the client to {@code behaviour.md} section 7:
 *
 * <ul>
 *   <li>soundness: a waiter or handle completes only with the write checkpoint of a checkpoint
 *       applied in its own user and clear generation, at or above its id, after it was opened
 *       (a status waiter may also complete at once by an earlier apply of its own connection,
 *       which the status still shows); a handle, once synced, reports the same checkpoint every
 *       time, and never after it failed for good;
 *   <li>liveness: none stays pending once such a checkpoint was applied;
 *   <li>typed endings: {@code Cleared} only after a clear ended its epoch, {@code UserSwitched} only
 *       after a connect as another user did.
 * </ul>
 *
 * <p>The epoch is the harness's own bookkeeping (the user it connected as, the clears it ran), so
 * that a client which confuses epochs cannot also fool the check.
 *
 * <p>Not thread-safe: one ledger per simulated client, used on the run's thread.
 */
public final class WaiterLedger {

  /**
   * Whose requests a checkpoint can acknowledge, as the harness counts it. Immutable.
   *
   * @param user the user the client connected as, empty when none was given
   * @param clears how many clears the harness ran on the client
   */
  public record Epoch(Optional<String> user, long clears) {

    /** The epoch of a fresh client: no user, no clear. */
    public static final Epoch FIRST = new Epoch(Optional.empty(), 0);

    /**
     * @param user the user the harness connected as, or empty
     * @param clears how many clears the harness ran on the client
     * @throws NullPointerException if the user is null
     */
    public Epoch {
      Objects.requireNonNull(user, "user");
    }

    /** @return the epoch after one more clear */
    public Epoch afterClear() {
      return new Epoch(user, clears + 1);
    }

    /**
     * @param next the user of a new connection
     * @return the epoch of a connection as {@code next}: this one if it is the same user
     */
    public Epoch forUser(Optional<String> next) {
      return new Epoch(next, clears);
    }

    @Override
    public String toString() {
      return user.orElse("(no user)") + "/clears=" + clears;
    }
  }

  /** What waits: how it may complete and which of its failures are final. */
  public enum Kind {
    /**
     * {@code status().awaitApplied(id)}: completes at once if its connection already applied an id
     * at or above it; any failure ends it.
     */
    STATUS_WAITER,
    /**
     * A {@code CheckpointHandle}: only checkpoints applied after the request was accepted count;
     * its waits fail with the disconnect and it stays valid, while a clear, a user switch, a
     * service without checkpoint requests or closing end it for good.
     */
    HANDLE
  }

  /** The failures that end a handle for good (simple class names of the wait exceptions). */
  private static final List<String> FINAL_FOR_HANDLES = List.of("Cleared", "UserSwitched", "NotSupported", "Closed");

  private record Apply(long order, Optional<Long> writeCheckpoint, Epoch epoch, long connection) {}

  private static final class Entry {
    final int number;
    final Kind kind;
    final String label;
    final long id;
    final Epoch epoch;
    final long connection;
    final long openedAt;
    Long syncedWith;
    String endedBy;
    boolean reportedStuck;
    /** Whether a clear ran since it was opened. */
    boolean clearedSince;
    /** Whether the client connected as another user (or none) since it was opened. */
    boolean userSwitchedSince;

    Entry(int number, Kind kind, String label, long id, Epoch epoch, long connection, long openedAt) {
      this.number = number;
      this.kind = kind;
      this.label = label;
      this.id = id;
      this.epoch = epoch;
      this.connection = connection;
      this.openedAt = openedAt;
    }

    boolean settled() {
      return syncedWith != null || endedBy != null;
    }

    @Override
    public String toString() {
      return label + " (id " + show(id) + ", epoch " + epoch + ")";
    }
  }

  private long order;
  private Epoch current = Epoch.FIRST;
  private final List<Apply> applies = new ArrayList<>();
  private final List<Entry> entries = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();

  /**
   * A waiter or handle was opened.
   *
   * @param kind what it is
   * @param label how reports name it, for example {@code "handle 3 of host 1"}
   * @param id the id it waits for
   * @param epoch the harness's epoch when it was made
   * @param connection the harness's number of the connection it was made in, 0 for none
   * @return its number, for {@link #completed} and {@link #failed}
   */
  public int opened(Kind kind, String label, long id, Epoch epoch, long connection) {
    return opened(kind, label, id, epoch, connection, ++order);
  }

  /**
   * A handle was opened for a request made earlier: applies after {@code requestedAt} count for
   * it, because the stream may apply the checkpoint that includes the request before the
   * service's answer to the request reaches the client.
   *
   * @param kind what it is
   * @param label how reports name it
   * @param id the id it waits for
   * @param epoch the harness's epoch when it was made
   * @param connection the harness's number of the connection it was made in, 0 for none
   * @param requestedAt what {@link #mark()} returned just before the request was made
   * @return its number, for {@link #completed} and {@link #failed}
   */
  public int opened(Kind kind, String label, long id, Epoch epoch, long connection, long requestedAt) {
    ++order;
    Entry entry = new Entry(entries.size(), Objects.requireNonNull(kind, "kind"),
        Objects.requireNonNull(label, "label"), id, Objects.requireNonNull(epoch, "epoch"), connection,
        requestedAt);
    entries.add(entry);
    return entry.number;
  }

  /**
   * @return a point in the ledger's order: what is recorded afterwards comes after it
   */
  public long mark() {
    return ++order;
  }

  /**
   * The harness's epoch changed (a clear, or a connect as another user or none): the waiters and
   * handles opened before may now fail with {@code Cleared} or {@code UserSwitched}. Report every
   * change, also one that a later change undoes (a user to none and back).
   *
   * @param next the new epoch
   */
  public void enter(Epoch next) {
    Objects.requireNonNull(next, "next");
    for (Entry entry : entries) {
      entry.clearedSince |= next.clears() != entry.epoch.clears();
      entry.userSwitchedSince |= !next.user().equals(entry.epoch.user());
    }
    current = next;
  }

  /**
   * A full checkpoint was applied (its transaction recorded it as last applied).
   *
   * @param writeCheckpoint its write checkpoint, empty if it had none
   * @param epoch the harness's epoch at the apply
   * @param connection the harness's number of the connection that applied it
   */
  public void applied(Optional<Long> writeCheckpoint, Epoch epoch, long connection) {
    applies.add(new Apply(++order, Objects.requireNonNull(writeCheckpoint, "writeCheckpoint"),
        Objects.requireNonNull(epoch, "epoch"), connection));
  }

  /**
   * A wait of entry {@code number} completed successfully.
   *
   * @param number the entry
   * @param writeCheckpoint the write checkpoint it completed with
   */
  public void completed(int number, long writeCheckpoint) {
    Entry entry = entries.get(number);
    long at = ++order;
    if (entry.syncedWith != null) {
      if (entry.syncedWith != writeCheckpoint) {
        violations.add(entry + " reported synced by " + show(writeCheckpoint)
            + " after it was synced by " + show(entry.syncedWith));
      }
      return;
    }
    if (entry.endedBy != null) {
      violations.add(entry + " completed with " + show(writeCheckpoint)
          + " after it had failed for good with " + entry.endedBy);
      return;
    }
    entry.syncedWith = writeCheckpoint;
    if (writeCheckpoint < entry.id) {
      violations.add(entry + " completed with " + show(writeCheckpoint) + ", below its id");
      return;
    }
    boolean justified = applies.stream().anyMatch(apply -> apply.order() < at
        && apply.writeCheckpoint().equals(Optional.of(writeCheckpoint))
        && apply.epoch().equals(entry.epoch)
        && (apply.order() > entry.openedAt || countsEarlierApplies(entry, apply)));
    if (!justified) {
      violations.add(entry + " completed with " + show(writeCheckpoint)
          + ", but no checkpoint with that write checkpoint was applied in its epoch after it was opened;"
          + " applies: " + describeApplies());
    }
  }

  /**
   * A wait of entry {@code number} failed.
   *
   * @param number the entry
   * @param failure the simple class name of the failure ({@code "Cleared"}, {@code "Disconnected"},
   *     ...), or {@code "cancelled"}
   */
  public void failed(int number, String failure) {
    Entry entry = entries.get(number);
    ++order;
    if ("Cleared".equals(failure) && !entry.clearedSince) {
      violations.add(entry + " failed with Cleared, but no clear ran since it was made");
    }
    if ("UserSwitched".equals(failure) && !entry.userSwitchedSince) {
      violations.add(entry + " failed with UserSwitched, but the client has synced as "
          + entry.epoch.user().orElse("(no user)") + " ever since it was made (now " + current + ")");
    }
    if (entry.syncedWith != null) {
      if (entry.kind == Kind.STATUS_WAITER) {
        violations.add(entry + " failed with " + failure + " after it completed");
      }
      return; // a synced handle stays synced; a later wait of it may still be cancelled
    }
    if (entry.kind == Kind.STATUS_WAITER || FINAL_FOR_HANDLES.contains(failure)) {
      if (entry.endedBy == null) {
        entry.endedBy = failure;
      }
    }
  }

  /**
   * Liveness: finds the waiters and handles that are neither completed nor ended although a
   * checkpoint that acknowledges them was applied in their epoch. Call after each step, once the
   * harness has reported what it saw.
   */
  public void checkPending() {
    for (Entry entry : entries) {
      if (entry.settled() || entry.reportedStuck) {
        continue;
      }
      Optional<Apply> acknowledging = applies.stream()
          .filter(apply -> apply.epoch().equals(entry.epoch)
              && apply.writeCheckpoint().filter(wc -> wc >= entry.id).isPresent()
              && (apply.order() > entry.openedAt || shownAtOpening(entry, apply)))
          .findFirst();
      if (acknowledging.isPresent()) {
        entry.reportedStuck = true;
        violations.add(entry + " is still pending although checkpoint "
            + show(acknowledging.get().writeCheckpoint().orElseThrow())
            + " was applied in its epoch" + (acknowledging.get().order() > entry.openedAt
                ? " after it was opened" : " and shown by the status when it was opened"));
      }
    }
  }

  /** @return every broken rule seen so far, in order */
  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** @return how many waiters and handles were opened */
  public int size() {
    return entries.size();
  }

  /** @return how many full applies were reported */
  public int applyCount() {
    return applies.size();
  }

  /**
   * A status waiter may complete at once by its connection's earlier apply (the status's last
   * applied id); a handle never counts an apply from before its request was made.
   */
  private static boolean countsEarlierApplies(Entry entry, Apply apply) {
    return entry.kind == Kind.STATUS_WAITER && entry.connection > 0 && apply.connection() == entry.connection;
  }

  /** Whether the status showed {@code apply} as the last applied id when the waiter was opened. */
  private boolean shownAtOpening(Entry entry, Apply apply) {
    if (!countsEarlierApplies(entry, apply)) {
      return false;
    }
    Apply latest = null;
    for (Apply candidate : applies) {
      if (candidate.order() < entry.openedAt) {
        latest = candidate;
      }
    }
    return latest == apply;
  }

  private String describeApplies() {
    if (applies.isEmpty()) {
      return "none";
    }
    List<String> shown = new ArrayList<>();
    for (Apply apply : applies.subList(Math.max(0, applies.size() - 6), applies.size())) {
      shown.add(apply.writeCheckpoint().map(WaiterLedger::show).orElse("(none)") + " in " + apply.epoch()
          + " connection " + apply.connection());
    }
    return (applies.size() > 6 ? "... " : "") + String.join(", ", shown);
  }

  /** An id as the model engine prints it: the extremes by name, so MAX reads as a sentinel. */
  private static String show(long value) {
    return value == Long.MAX_VALUE ? "MAX" : value == Long.MIN_VALUE ? "MIN" : Long.toString(value);
  }
}

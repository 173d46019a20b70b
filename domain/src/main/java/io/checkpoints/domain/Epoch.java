package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.UserKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Whose requests a checkpoint can acknowledge: the user the client syncs as (none when unknown)
 * and how many clears ran. A clear or a connect as another user starts a new epoch; nothing
 * applied in one epoch is evidence for a request of another. Immutable.
 *
 * @param user the user, or null when none is known
 * @param clears how many clears ran before this epoch began
 */
record Epoch(UserKey user, long clears) {

  static final Epoch FIRST = new Epoch(null, 0);

  Epoch afterClear() {
    return new Epoch(user, clears + 1);
  }

  Epoch forUser(UserKey next) {
    return new Epoch(next, clears);
  }

  boolean isUser(UserKey other) {
    return Objects.equals(user, other);
  }

  Optional<UserKey> knownUser() {
    return Optional.ofNullable(user);
  }

  /**
   * Why something of this epoch cannot go on in {@code current}.
   *
   * @param what what was under way, for the message
   */
  CheckpointWaitException endedBy(Epoch current, String what) {
    return current.clears != clears
        ? new CheckpointWaitException.Cleared("the database was cleared while " + what
            + " was under way; requests made before a clear never complete")
        : new CheckpointWaitException.UserSwitched("the client connected as another user while "
            + what + " was under way");
  }
}

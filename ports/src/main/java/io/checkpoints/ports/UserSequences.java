package io.checkpoints.ports;

import java.util.Optional;

/**
 * The per-user sequences: the highest checkpoint request id ever used per user, kept where a
 * clear does not reach, so that ids for a (user, client) never go backwards. Confined to the
 * transaction's thread.
 */
public interface UserSequences {

  /**
   * @param user the user
   * @return the highest id used for that user, or empty if none
   */
  Optional<CheckpointRequestId> highest(UserKey user);

  /**
   * Raises the user's value to {@code id}; never lowers it.
   *
   * @param user the user
   * @param id the id just used
   */
  void raise(UserKey user, CheckpointRequestId id);

  /**
   * The administrative reset: forgets the user's sequence, so that its ids may start again at 1.
   *
   * @param user the user
   * @return whether the user had a sequence
   */
  boolean reset(UserKey user);

  /** @return how many users have a sequence */
  long count();
}

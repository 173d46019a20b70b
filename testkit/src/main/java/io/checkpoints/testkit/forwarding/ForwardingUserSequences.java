package io.checkpoints.testkit.forwarding;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.UserSequences;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-user sequences of a transaction, forwarding every call to another view. Override one
 * method to inject a fault.
 *
 * <p>Confined to the thread that runs the transaction's work, as the view it wraps.
 */
public class ForwardingUserSequences implements UserSequences {

  private final UserSequences delegate;

  /**
   * @param delegate the view that every call goes to
   * @throws NullPointerException if {@code delegate} is null
   */
  public ForwardingUserSequences(UserSequences delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** @return the view that every call goes to */
  protected UserSequences delegate() {
    return delegate;
  }

  @Override
  public Optional<CheckpointRequestId> highest(UserKey user) {
    return delegate.highest(user);
  }

  @Override
  public void raise(UserKey user, CheckpointRequestId id) {
    delegate.raise(user, id);
  }

  @Override
  public boolean reset(UserKey user) {
    return delegate.reset(user);
  }

  @Override
  public long count() {
    return delegate.count();
  }
}

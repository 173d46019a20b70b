package io.checkpoints.testkit.forwarding;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.Objects;
import java.util.Optional;

/**
 * The checkpoint keys of a transaction, forwarding every call (the optional
 * {@link #incrementLastRequested()} fast path included) to another view. Override one method to
 * inject a fault.
 *
 * <p>Confined to the thread that runs the transaction's work, as the view it wraps.
 */
public class ForwardingCheckpointState implements CheckpointState {

  private final CheckpointState delegate;

  /**
   * @param delegate the view that every call goes to
   * @throws NullPointerException if {@code delegate} is null
   */
  public ForwardingCheckpointState(CheckpointState delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** @return the view that every call goes to */
  protected CheckpointState delegate() {
    return delegate;
  }

  @Override
  public ClientId clientId() {
    return delegate.clientId();
  }

  @Override
  public Optional<CheckpointRequestId> target() {
    return delegate.target();
  }

  @Override
  public void setTarget(CheckpointRequestId target) {
    delegate.setTarget(target);
  }

  @Override
  public void deleteTarget() {
    delegate.deleteTarget();
  }

  @Override
  public Optional<CheckpointRequestId> lastRequested() {
    return delegate.lastRequested();
  }

  @Override
  public void setLastRequested(CheckpointRequestId counter) {
    delegate.setLastRequested(counter);
  }

  @Override
  public Optional<CheckpointRequestId> incrementLastRequested() {
    return delegate.incrementLastRequested();
  }

  @Override
  public Optional<WriteCheckpoint> lastSeen() {
    return delegate.lastSeen();
  }

  @Override
  public void setLastSeen(WriteCheckpoint seen) {
    delegate.setLastSeen(seen);
  }

  @Override
  public void deleteLastSeen() {
    delegate.deleteLastSeen();
  }

  @Override
  public Optional<WriteCheckpoint> lastApplied() {
    return delegate.lastApplied();
  }

  @Override
  public void setLastApplied(WriteCheckpoint applied) {
    delegate.setLastApplied(applied);
  }

  @Override
  public void deleteLastApplied() {
    delegate.deleteLastApplied();
  }
}

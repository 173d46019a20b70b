package io.checkpoints.testkit.forwarding;

import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.ports.UserSequences;
import java.util.Objects;
import java.util.Optional;

/**
 * A transaction that forwards every call to another transaction. Override one method to inject a
 * fault, for example {@link #uploadQueue()} to return a {@link ForwardingUploadQueue} whose
 * {@code removeThrough} is off by one.
 *
 * <p>{@link #enqueueArmingGate} forwards to the delegate's own fast path, which does not go through
 * an overridden {@link #uploadQueue()}: a fault in {@code enqueue} that must also reach armed
 * writes overrides both.
 *
 * <p>Confined to the thread that runs the transaction's work, as every transaction is.
 */
public class ForwardingCheckpointTransaction implements CheckpointTransaction {

  private final CheckpointTransaction delegate;

  /**
   * @param delegate the transaction that every call goes to
   * @throws NullPointerException if {@code delegate} is null
   */
  public ForwardingCheckpointTransaction(CheckpointTransaction delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** @return the transaction that every call goes to */
  protected CheckpointTransaction delegate() {
    return delegate;
  }

  @Override
  public CheckpointState state() {
    return delegate.state();
  }

  @Override
  public UploadQueue uploadQueue() {
    return delegate.uploadQueue();
  }

  @Override
  public UserSequences userSequences() {
    return delegate.userSequences();
  }

  @Override
  public Enqueued enqueueArmingGate(LocalWrite write) {
    return delegate.enqueueArmingGate(write);
  }

  @Override
  public void afterCompletion(CompletionCallback callback) {
    delegate.afterCompletion(callback);
  }

  @Override
  public void clear(ClearFlags flags) {
    delegate.clear(flags);
  }

  @Override
  public <T> Optional<T> unwrap(Class<T> type) {
    return delegate.unwrap(type);
  }
}

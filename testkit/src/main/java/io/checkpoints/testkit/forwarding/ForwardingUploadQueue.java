package io.checkpoints.testkit.forwarding;

import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UploadQueue;
import java.util.List;
import java.util.Objects;

/**
 * The upload queue of a transaction, forwarding every call to another view. Override one method
 * to inject a fault.
 *
 * <p>Confined to the thread that runs the transaction's work, as the view it wraps.
 */
public class ForwardingUploadQueue implements UploadQueue {

  private final UploadQueue delegate;

  /**
   * @param delegate the view that every call goes to
   * @throws NullPointerException if {@code delegate} is null
   */
  public ForwardingUploadQueue(UploadQueue delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** @return the view that every call goes to */
  protected UploadQueue delegate() {
    return delegate;
  }

  @Override
  public long enqueue(LocalWrite write) {
    return delegate.enqueue(write);
  }

  @Override
  public boolean isEmpty() {
    return delegate.isEmpty();
  }

  @Override
  public long size() {
    return delegate.size();
  }

  @Override
  public long lastSequence() {
    return delegate.lastSequence();
  }

  @Override
  public void removeThrough(long sequence) {
    delegate.removeThrough(sequence);
  }

  @Override
  public List<QueuedWrite> firstWrites(int limit) {
    return delegate.firstWrites(limit);
  }

  @Override
  public List<QueuedWrite> firstTransaction() {
    return delegate.firstTransaction();
  }
}

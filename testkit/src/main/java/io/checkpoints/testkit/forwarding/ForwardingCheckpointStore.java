package io.checkpoints.testkit.forwarding;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import java.util.Objects;

/**
 * A store that forwards every call to another store: the base of a deliberately broken store.
 * Override {@link #inTransaction} or {@link #close()} to break the store itself, or
 * {@link #wrap(CheckpointTransaction)} to hand the work a transaction (usually a
 * {@link ForwardingCheckpointTransaction} subclass) that breaks one of the views.
 *
 * <pre>{@code
 * CheckpointStore closeDoesNothing = new ForwardingCheckpointStore(InMemoryCheckpointStore.create()) {
 *   @Override
 *   public void close() {
 *     // the fault: the store stays open
 *   }
 * };
 * }</pre>
 *
 * <p>Thread-safe as far as the delegate and the overriding methods are.
 */
public class ForwardingCheckpointStore implements CheckpointStore {

  private final CheckpointStore delegate;

  /**
   * @param delegate the store that every call goes to
   * @throws NullPointerException if {@code delegate} is null
   */
  public ForwardingCheckpointStore(CheckpointStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** @return the store that every call goes to */
  protected CheckpointStore delegate() {
    return delegate;
  }

  /**
   * Runs the work in the delegate's transaction, handing it {@link #wrap} of that transaction.
   *
   * @param work the work
   * @param <T> the result type
   * @return what the work returned
   */
  @Override
  public <T> T inTransaction(TransactionWork<T> work) {
    return delegate.inTransaction(tx -> work.run(wrap(tx)));
  }

  /**
   * The transaction the work gets. Called once per call of {@link #inTransaction}, nested calls
   * included. The default hands the delegate's transaction over unchanged.
   *
   * @param transaction the delegate's open transaction
   * @return the transaction the work sees
   */
  protected CheckpointTransaction wrap(CheckpointTransaction transaction) {
    return transaction;
  }

  /** Closes the delegate. */
  @Override
  public void close() {
    delegate.close();
  }
}

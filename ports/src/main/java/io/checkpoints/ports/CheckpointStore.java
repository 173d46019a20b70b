package io.checkpoints.ports;

/**
 * Port: the durable checkpoint state, reached through transactions.
 *
 * <p>{@link #inTransaction} runs the work atomically: either every change it made is committed
 * or, if it throws, none is. When the store was bound to a transaction the caller already holds
 * (for example a JDBC connection inside its own transaction), the work joins it and the caller
 * decides commit or rollback; an error still leaves the caller's transaction usable only as far as
 * the adapter documents. Implementations must be thread-safe; transactions are serialised.
 *
 * <p>After {@link #close()}, every transaction fails with a {@link CheckpointStateException} of
 * reason {@link CheckpointStateException.Reason#STORE_CLOSED} and changes nothing.
 */
public interface CheckpointStore extends AutoCloseable {

  /**
   * Runs {@code work} in one transaction and returns its result.
   *
   * @param work the work; it must not keep the transaction after it returns
   * @param <T> the result type
   * @return what {@code work} returned
   * @throws CheckpointStorageException if the store failed; the transaction was rolled back
   * @throws CheckpointStateException if the store is closed
   * @throws CheckpointException or any other runtime exception thrown by {@code work}, after
   *     rolling back
   */
  <T> T inTransaction(TransactionWork<T> work);

  /**
   * Closes the store and releases what it holds (a connection the store opened; a caller's
   * connection stays open). Closing twice does nothing.
   */
  @Override
  void close();

  /**
   * Work to run inside a store transaction.
   *
   * @param <T> the result type
   */
  @FunctionalInterface
  interface TransactionWork<T> {
    /**
     * @param transaction the open transaction
     * @return the result
     */
    T run(CheckpointTransaction transaction);
  }
}

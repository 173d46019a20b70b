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
 * <p>The rules every store keeps; the contract suite of the testkit
 * ({@code io.checkpoints.testkit.contract.CheckpointStoreContract}) checks each of them, and
 * {@code docs/writing-a-store.md} is the guide for a store author:
 *
 * <ul>
 *   <li><b>Atomicity.</b> Whatever the work throws (a runtime exception, an {@link Error}, or a
 *       checked exception thrown sneakily past the compiler), every change of the transaction is
 *       rolled back (the four checkpoint keys, the queue, the per-user sequences, a clear) and the
 *       very same throwable reaches the caller: not wrapped, not replaced. The store is usable
 *       afterwards.
 *   <li><b>Sequence numbers.</b> Queue sequence numbers increase and never restart: not after the
 *       queue was emptied by {@code removeThrough}, not after a clear, which keeps
 *       {@link UploadQueue#lastSequence()} as it was. A rolled-back write gives its number back
 *       ({@code lastSequence()} is what it was before the transaction); a store whose sequence
 *       generator is not transactional may leave it used up instead, and declares so to the
 *       suite, which then checks that {@code lastSequence()} did not go down and that the next
 *       write gets a number greater than every committed one.
 *   <li><b>Nesting joins.</b> An {@code inTransaction} call made on the thread of an open
 *       transaction of the same store joins it: each side sees the other's changes at once, an
 *       exception that leaves the outermost work rolls back the nested changes too, and a nested
 *       call never waits for the outer transaction (the suite fails such a store after a deadline
 *       rather than hanging). When the outer work catches a nested failure and commits, the nested
 *       changes stay, unless the store runs nested work in a savepoint, which it declares.
 *   <li><b>Isolation.</b> Concurrent transactions are serialised: read-modify-write loses no
 *       update, concurrent writes get distinct sequence numbers, concurrent raises keep the
 *       highest value.
 *   <li><b>Completion.</b> {@link CheckpointTransaction#afterCompletion} callbacks run once each,
 *       in registration order, at the end of the outermost transaction (told {@code true} on
 *       commit, {@code false} on rollback), on the thread that ended it, after the store released
 *       its lock (a callback may start a transaction of its own); one that throws does not stop the
 *       others nor change the transaction's result. In a caller's transaction they run at the
 *       caller's commit or rollback.
 *   <li><b>Clear.</b> {@link CheckpointTransaction#clear} deletes the checkpoint keys and the
 *       queue, keeps the client id, the per-user sequences and the last sequence number.
 *   <li><b>Durability.</b> For a store on a file: what committed is there when the store is
 *       closed and opened again on the same data; what rolled back is not.
 *   <li><b>Close.</b> See {@link #close()}.
 * </ul>
 *
 * <p>After {@link #close()}, every transaction fails with a {@link CheckpointStateException} of
 * reason {@link CheckpointStateException.Reason#STORE_CLOSED}, runs no work and changes nothing;
 * closing twice does nothing.
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
   *     rolling back; an {@code Error} or a checked exception that the work throws passes through
   *     unchanged too
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

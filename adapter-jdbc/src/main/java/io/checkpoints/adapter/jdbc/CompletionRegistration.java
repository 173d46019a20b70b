package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointTransaction;
import java.util.List;

/**
 * A completion callback registered in a {@link JdbcCheckpointStore} transaction, and whether the
 * savepoint it was registered in was rolled back.
 *
 * <p>Not thread-safe: guarded by the store's lock while its transaction is open.
 */
final class CompletionRegistration {

  private static final System.Logger LOG = System.getLogger(JdbcCheckpointStore.class.getName());

  final CheckpointTransaction.CompletionCallback callback;
  boolean discarded;

  CompletionRegistration(CheckpointTransaction.CompletionCallback callback) {
    this.callback = callback;
  }

  /** Tells each callback the outcome, in registration order; a discarded one hears {@code false}. */
  static void runAll(List<CompletionRegistration> registrations, boolean committed) {
    for (CompletionRegistration registration : registrations) {
      boolean reported = committed && !registration.discarded;
      try {
        registration.callback.completed(reported);
      } catch (RuntimeException | Error e) {
        // A failing callback must not keep the others from settling their state.
        LOG.log(System.Logger.Level.WARNING,
            "a checkpoint transaction's completion callback failed (committed=" + reported + ")", e);
      }
    }
  }
}

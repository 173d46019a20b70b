package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointStorageException;
import java.sql.SQLException;
import org.jdbi.v3.core.JdbiException;

/** How a {@link JdbcCheckpointStore} reports failures of its statements. Stateless and thread-safe. */
final class StorageFailures {

  private StorageFailures() {}

  /**
   * What to throw for a failure of the work: a statement's failure as a storage exception,
   * anything else unchanged (a checked exception thrown sneakily is rethrown the same way).
   */
  static RuntimeException translate(SqlDialect dialect, Throwable e) {
    if (e instanceof JdbiException jdbi) {
      return storageFailure(dialect, "a statement failed", jdbi);
    }
    if (e instanceof RuntimeException runtime) {
      return runtime;
    }
    throw StorageFailures.<RuntimeException>sneakyThrow(e);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneakyThrow(Throwable e) throws E {
    throw (E) e;
  }

  static CheckpointStorageException storageFailure(SqlDialect dialect, String what, JdbiException e) {
    Throwable cause = e.getCause() instanceof SQLException sql ? sql : e;
    return new CheckpointStorageException(
        dialect.name() + " checkpoint store: " + what + ": " + firstLine(cause.getMessage()), e);
  }

  /** Some drivers (H2) append the statement on further lines; a message stays one line. */
  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

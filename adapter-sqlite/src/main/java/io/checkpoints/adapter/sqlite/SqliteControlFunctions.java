package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointControl;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.ControlPayload;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.sqlite.Function;
import org.sqlite.SQLiteConnection;

/**
 * The checkpoint commands as SQL functions on a sqlite-jdbc connection, with the reference core's
 * names, results and messages:
 *
 * <ul>
 *   <li>{@code powersync_control(op, payload)} for {@code seed_checkpoint_request_id},
 *       {@code next_checkpoint_request_id}, {@code current_checkpoint_request_id} and
 *       {@code target_checkpoint_request_id}: an INTEGER or NULL;
 *   <li>{@code powersync_next_checkpoint_request_id()}, an alias of {@code next}, and
 *       {@code powersync_probe_local_target_op(payload)}, an alias of {@code target}, the names of
 *       the original proposal (the released reference no longer has them); their messages carry
 *       their own names.
 * </ul>
 *
 * <p>Each call must run inside a transaction, as in the reference ({@code <name>: This function may
 * only be called in transactions.}). The commands delegate to a {@link CheckpointControl} whose
 * store must work on this same connection ({@link SqliteCheckpointStore#join}): the command then
 * runs in a savepoint of the caller's transaction, and an error changes nothing and leaves the
 * caller's transaction open, as in the reference. Argument errors read
 * {@code <name>: invalid argument: <what>. cause: unknown}, state errors
 * {@code <name>: invalid state: <what>}, byte for byte as the reference's; see
 * {@code docs/sqlite.md} for the payload forms.
 *
 * <p>The SQLite error code differs: a Java function cannot choose it with sqlite-jdbc, so every
 * error is {@code SQLITE_ERROR} (1), where the reference uses {@code SQLITE_CONSTRAINT_DATATYPE}
 * (3091) for argument errors and {@code SQLITE_MISUSE} (21) for state errors. Tell them apart by
 * the message. The operations {@code start}, {@code stop}, {@code line_text} and the other sync
 * operations of the reference are not SQL functions here (the Java API drives the sync iteration);
 * they fail with an argument error that says so.
 *
 * <p>Stateless and thread-safe; the functions run on whichever thread executes the statement.
 */
public final class SqliteControlFunctions {

  /** The reference core's function name. */
  public static final String CONTROL = "powersync_control";

  /** The proposal's name for {@code next_checkpoint_request_id}. */
  public static final String NEXT_ALIAS = "powersync_next_checkpoint_request_id";

  /** The proposal's name for {@code target_checkpoint_request_id}. */
  public static final String TARGET_ALIAS = "powersync_probe_local_target_op";

  /** Operations of the reference's {@code powersync_control} that are not checkpoint commands. */
  private static final Set<String> SYNC_OPERATIONS = Set.of("start", "stop", "line_text",
      "line_binary", "refreshed_token", "completed_upload", "update_subscriptions", "connection",
      "subscriptions");

  /**
   * The connection whose function call runs on this thread, set once the call found a transaction
   * open: the store the call reaches asks the same question, and the answer cannot change while
   * the calling statement runs (SQLite refuses to end a transaction while a statement is in
   * progress). Asking SQLite costs a failed {@code BEGIN} and its exception each time.
   */
  private static final ThreadLocal<Connection> CALLING = new ThreadLocal<>();

  private SqliteControlFunctions() {}

  /**
   * Whether a function of this class, running on this thread, found {@code connection} (or the
   * connection it wraps) in an open transaction; false if none runs, and then the caller asks
   * SQLite.
   */
  static boolean runsInTransaction(Connection connection) throws SQLException {
    Connection calling = CALLING.get();
    if (calling == null) {
      return false;
    }
    return calling == connection || connection.isWrapperFor(SQLiteConnection.class)
        && connection.unwrap(SQLiteConnection.class) == calling;
  }

  /**
   * Registers the three functions on the connection, replacing functions of the same names (and
   * argument counts), for example those of the reference core if it is loaded.
   *
   * @param connection a sqlite-jdbc connection (or a wrapper of one)
   * @param control the commands; their store must work on {@code connection}
   * @throws io.checkpoints.ports.CheckpointStorageException if the functions cannot be registered
   */
  public static void register(Connection connection, CheckpointControl control) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(control, "control");
    Connection sqlite = unwrap(connection);
    try {
      Function.create(sqlite, CONTROL, new ControlFunction(sqlite, control), 2, 0);
      Function.create(sqlite, NEXT_ALIAS, new NextFunction(sqlite, control), 0, 0);
      Function.create(sqlite, TARGET_ALIAS, new TargetFunction(sqlite, control), 1, 0);
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not register the checkpoint SQL functions", e);
    }
  }

  /**
   * Removes the three functions from the connection.
   *
   * @param connection the connection they were registered on
   * @throws io.checkpoints.ports.CheckpointStorageException if they cannot be removed
   */
  public static void unregister(Connection connection) {
    Objects.requireNonNull(connection, "connection");
    Connection sqlite = unwrap(connection);
    try {
      Function.destroy(sqlite, CONTROL, 2);
      Function.destroy(sqlite, NEXT_ALIAS, 0);
      Function.destroy(sqlite, TARGET_ALIAS, 1);
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not remove the checkpoint SQL functions", e);
    }
  }

  private static Connection unwrap(Connection connection) {
    try {
      if (connection instanceof SQLiteConnection) {
        return connection;
      }
      if (connection.isWrapperFor(SQLiteConnection.class)) {
        return connection.unwrap(SQLiteConnection.class);
      }
    } catch (SQLException e) {
      throw SqliteDialect.storageFailure("could not unwrap the connection", e);
    }
    throw new CheckpointArgumentException("the checkpoint SQL functions need a sqlite-jdbc"
        + " connection, got " + connection.getClass().getName());
  }

  /** The common part: transaction check, error messages, result types. */
  private abstract static class CheckpointFunction extends Function {
    private final Connection connection;
    final CheckpointControl control;
    private final String name;

    CheckpointFunction(Connection connection, CheckpointControl control, String name) {
      this.connection = connection;
      this.control = control;
      this.name = name;
    }

    @Override
    protected final void xFunc() throws SQLException {
      if (!SqliteDialect.isInTransaction(connection)) {
        error(name + ": This function may only be called in transactions.");
        return;
      }
      Optional<CheckpointRequestId> result;
      Connection outer = CALLING.get();
      CALLING.set(connection);
      try {
        result = call();
      } catch (CheckpointArgumentException e) {
        error(name + ": invalid argument: " + e.getMessage() + ". cause: unknown");
        return;
      } catch (CheckpointStateException e) {
        error(name + ": invalid state: " + e.getMessage());
        return;
      } catch (CheckpointException e) {
        error(name + ": " + e.getMessage());
        return;
      } catch (RuntimeException e) {
        error(name + ": internal error: " + e);
        return;
      } finally {
        if (outer == null) {
          CALLING.remove();
        } else {
          CALLING.set(outer);
        }
      }
      if (result.isPresent()) {
        result(result.get().value());
      } else {
        result();
      }
    }

    /** The command. */
    abstract Optional<CheckpointRequestId> call() throws SQLException;

    /** Argument {@code index} as the dynamically typed payload it is. */
    final ControlPayload payload(int index) throws SQLException {
      switch (value_type(index)) {
        case 1: // SQLITE_INTEGER
          return new ControlPayload.IntegerValue(value_long(index));
        case 2: // SQLITE_FLOAT
          return new ControlPayload.RealValue(value_double(index));
        case 3: // SQLITE_TEXT
          return new ControlPayload.TextValue(value_text(index));
        case 4: { // SQLITE_BLOB
          byte[] bytes = value_blob(index);
          return new ControlPayload.BlobValue(bytes == null ? new byte[0] : bytes);
        }
        default: // SQLITE_NULL
          return ControlPayload.NULL;
      }
    }
  }

  private static final class ControlFunction extends CheckpointFunction {
    ControlFunction(Connection connection, CheckpointControl control) {
      super(connection, control, CONTROL);
    }

    @Override
    Optional<CheckpointRequestId> call() throws SQLException {
      if (value_type(0) != 3) {
        throw new CheckpointArgumentException("First argument must be a string");
      }
      String op = value_text(0);
      switch (op) {
        case "seed_checkpoint_request_id":
          return Optional.of(control.seed(payload(1)));
        case "next_checkpoint_request_id":
          return Optional.of(control.next()); // the payload is ignored, as in the reference
        case "current_checkpoint_request_id":
          return control.current();
        case "target_checkpoint_request_id":
          return control.target(payload(1));
        default:
          if (SYNC_OPERATIONS.contains(op)) {
            throw new CheckpointArgumentException("Operation " + op + " is not available as an SQL"
                + " function of this library; the Java API (SyncClient) drives the sync iteration");
          }
          throw new CheckpointArgumentException("Unknown operation");
      }
    }
  }

  private static final class NextFunction extends CheckpointFunction {
    NextFunction(Connection connection, CheckpointControl control) {
      super(connection, control, NEXT_ALIAS);
    }

    @Override
    Optional<CheckpointRequestId> call() {
      return Optional.of(control.next());
    }
  }

  private static final class TargetFunction extends CheckpointFunction {
    TargetFunction(Connection connection, CheckpointControl control) {
      super(connection, control, TARGET_ALIAS);
    }

    @Override
    Optional<CheckpointRequestId> call() throws SQLException {
      return control.target(payload(0));
    }
  }
}

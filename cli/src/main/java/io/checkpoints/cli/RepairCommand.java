package io.checkpoints.cli;

import static io.checkpoints.cli.PowerSyncDatabase.MAX;
import static io.checkpoints.cli.PowerSyncDatabase.show;

import io.checkpoints.adapter.sqlite.SqliteDatabaseFile;
import io.checkpoints.adapter.sqlite.SqliteMigrations;
import io.checkpoints.cli.PowerSyncDatabase.LegacyLocal;
import io.checkpoints.ports.CheckpointException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints repair DB --clear-stuck-target}: clears an apply gate that can no longer
 * open, in one immediate transaction with plain JDBC (no store, so a version 13 file stays version
 * 13). Refuses while writes are queued: clearing the gate then would let a download overwrite
 * data the service has not seen. Not thread-safe: one instance per execution.
 */
@Command(
    name = "repair",
    description = {
        "Repairs the checkpoint state of a PowerSync database (schema version 13 or 14, or a file of"
            + " an earlier version of this library, which keeps the version 14 keys).",
        "--clear-stuck-target: version 13: sets $local.target_op to 0 when it is above last_op"
            + " with an empty upload queue (the state a crash during upload can leave); version"
            + " 14: deletes a concrete target_checkpoint_request_id that was not reached (use it"
            + " only on a database no client will connect with again). Refuses while local"
            + " writes are queued."},
    exitCodeList = {
        "0:repaired, or nothing needed repair",
        "1:refused, the file unchanged (queued writes; or the file is not a PowerSync database of"
            + " version 13 or 14 nor a file of an earlier version of this library)",
        "2:usage error (also: no repair chosen, the file does not exist, or is a directory)"})
final class RepairCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private DatabaseArgument database;

  @Option(names = "--clear-stuck-target", description = "Clear a gate that can no longer open.")
  private boolean clearStuckTarget;

  @Mixin
  private VerboseMixin verbose;

  /** A repair that must not happen; rolled back. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() {
    if (!clearStuckTarget) {
      throw new ParameterException(spec.commandLine(), "no repair chosen: give --clear-stuck-target");
    }
    Path db = database.existing();
    PrintWriter out = spec.commandLine().getOut();
    try {
      // Read-only first: a file this refuses is never opened for writing.
      PowerSyncDatabase.supportedVersion(SqliteDatabaseFile.inspect(db));
    } catch (CheckpointException | PowerSyncDatabase.Unsupported e) {
      return fail("cannot repair " + db + ": " + e.getMessage(), e);
    }
    try (Connection connection = PowerSyncDatabase.openWritable(db);
        Statement statement = connection.createStatement()) {
      // Immediate: the write lock from the start, so what we read is what we change.
      statement.execute("BEGIN IMMEDIATE");
      try {
        String done = clear(connection);
        statement.execute("COMMIT");
        out.println(done);
        out.flush();
        return CheckpointsCommand.EXIT_OK;
      } catch (SQLException | RuntimeException | Refused | PowerSyncDatabase.Unsupported e) {
        statement.execute("ROLLBACK");
        throw e;
      }
    } catch (Refused e) {
      return fail("refused: " + e.getMessage(), e);
    } catch (SQLException | PowerSyncDatabase.Unsupported e) {
      return fail("cannot repair " + db + ": " + e.getMessage(), e);
    }
  }

  private String clear(Connection connection)
      throws SQLException, Refused, PowerSyncDatabase.Unsupported {
    PowerSyncDatabase database = PowerSyncDatabase.on(connection);
    int version = database.schemaVersion();
    long queued = database.uploadQueue();
    if (version == SqliteMigrations.LEGACY_VERSION) {
      LegacyLocal local = database.legacyLocal();
      if (local == null || local.targetOp() <= local.lastOp()) {
        return "nothing to clear: " + (local == null ? "no $local row (no gate)"
            : "$local target_op " + local.targetOp() + " is not above last_op " + local.lastOp());
      }
      refuseIfQueued(queued);
      try (Statement statement = connection.createStatement()) {
        statement.executeUpdate("UPDATE ps_buckets SET target_op = 0 WHERE name = '$local'");
      }
      return "cleared the stuck gate: $local target_op " + show(local.targetOp()) + " -> 0"
          + " (last_op " + local.lastOp() + ")";
    }
    Long target = database.kv("target_checkpoint_request_id");
    Long lastSeen = database.kv("last_seen_checkpoint_request_id");
    if (target == null) {
      return "nothing to clear: no target (no gate)";
    }
    if (target == MAX) {
      // Not stuck: the first connected client that completes an upload or connects sets it.
      if (queued == 0) {
        return "nothing to clear: the target is MAX, which a connected client replaces with a"
            + " checkpoint request of its own";
      }
      refuseIfQueued(queued);
    }
    if (lastSeen != null && lastSeen >= target) {
      return "nothing to clear: target " + target + " was reached (last seen " + lastSeen + ")";
    }
    refuseIfQueued(queued);
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("DELETE FROM ps_kv WHERE key = 'target_checkpoint_request_id'");
    }
    return "cleared the stuck gate: deleted target_checkpoint_request_id " + target
        + " (last seen " + show(lastSeen) + ")";
  }

  private static void refuseIfQueued(long queued) throws Refused {
    if (queued > 0) {
      throw new Refused(queued + " local write" + (queued == 1 ? " is" : "s are")
          + " queued in ps_crud; clearing the gate now could let downloads overwrite them."
          + " Let them upload first");
    }
  }

  private int fail(String message, Exception e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": " + message);
    verbose.printStackTrace(e, err);
    err.flush();
    return CheckpointsCommand.EXIT_FAILED;
  }
}

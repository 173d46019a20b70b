package io.checkpoints.cli;

import static io.checkpoints.cli.PowerSyncDatabase.MAX;
import static io.checkpoints.cli.PowerSyncDatabase.show;

import io.checkpoints.cli.PowerSyncDatabase.LegacyLocal;
import io.checkpoints.adapter.sqlite.SqliteDatabaseFile;
import io.checkpoints.cli.PowerSyncDatabase.State;
import io.checkpoints.ports.CheckpointException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints inspect}: the checkpoint state of a PowerSync database (schema version 13 or
 * 14, or a file of this library's earlier version) and a plain-language diagnosis. Reads the file
 * read-only with plain JDBC: never migrates or changes it. Not thread-safe: one instance per
 * execution.
 */
@Command(
    name = "inspect",
    description = {
        "Shows the checkpoint state of a PowerSync database (schema version 13 or 14, or a file of"
            + " an earlier version of this library): client id, target, counter, last seen/applied,"
            + " upload queue, the legacy $local row, per-user sequences, and a diagnosis. The file"
            + " is opened read-only and never changed.",
        "Diagnosis codes, the first that applies wins: earlier_library_version, legacy_schema,"
            + " uploads_pending, awaiting_checkpoint_request, awaiting_acknowledgement, synced, idle."},
    exitCodeList = {
        "0:the database was inspected (whatever the diagnosis)",
        "1:the file is not a PowerSync database of version 13 or 14 nor a file of an earlier"
            + " version of this library (the message says what it is), or cannot be read",
        "2:usage error (also: the file does not exist, or is a directory)"})
final class InspectCommand implements Callable<Integer> {

  /** The diagnosis: a stable code and a message for people. */
  record Diagnosis(String code, String message) {}

  @Spec
  private CommandSpec spec;

  @Mixin
  private DatabaseArgument database;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  private boolean json;

  @Mixin
  private VerboseMixin verbose;

  @Override
  public Integer call() {
    Path db = database.existing();
    PrintWriter out = spec.commandLine().getOut();
    State state;
    try {
      PowerSyncDatabase.supportedVersion(SqliteDatabaseFile.inspect(db));
      try (Connection connection = PowerSyncDatabase.openReadOnly(db)) {
        state = PowerSyncDatabase.on(connection).read();
      }
    } catch (SQLException | CheckpointException | PowerSyncDatabase.Unsupported e) {
      return fail(db, e);
    }
    Diagnosis diagnosis = diagnose(state);
    out.print(json ? toJson(state, diagnosis) + "\n" : toText(state, diagnosis));
    out.flush();
    return CheckpointsCommand.EXIT_OK;
  }

  private int fail(Path db, Exception e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": cannot inspect " + db + ": " + e.getMessage());
    verbose.printStackTrace(e, err);
    err.flush();
    return CheckpointsCommand.EXIT_FAILED;
  }

  /** The diagnosis of issue 7, in its order of precedence. */
  static Diagnosis diagnose(State s) {
    if (s.earlierLibraryVersion()) {
      return new Diagnosis("earlier_library_version", "A file of an earlier version of this"
          + " library: only ps_kv, ps_crud, ps_tx and checkpoint_user_sequence, no ps_migration, so"
          + " PowerSync SDKs cannot open it and this library's store refuses it."
          + " `checkpoints migrate DB --to 14` upgrades it to a PowerSync database and keeps the"
          + " state shown here.");
    }
    if (s.schemaVersion() == 13) {
      return new Diagnosis("legacy_schema", legacyMessage(s));
    }
    if (s.uploadQueue() > 0) {
      return new Diagnosis("uploads_pending", s.uploadQueue() + " queued local write"
          + (s.uploadQueue() == 1 ? "" : "s") + " hold downloads back until they are uploaded.");
    }
    Long target = s.target();
    if (target != null && target == MAX) {
      return new Diagnosis("awaiting_checkpoint_request", "Uploads are done but the target is"
          + " still MAX: a connected client will request a checkpoint and target its id.");
    }
    if (target != null && (s.lastSeen() == null || s.lastSeen() < target)) {
      return new Diagnosis("awaiting_acknowledgement", "Downloads are held until a checkpoint"
          + " acknowledges request " + target + " (last seen: " + show(s.lastSeen()) + "). If no"
          + " client will ever connect again with this database, `checkpoints repair DB"
          + " --clear-stuck-target` clears the gate.");
    }
    if (target != null) {
      return new Diagnosis("synced", "Target " + target + " was reached (last seen "
          + s.lastSeen() + "): downloads apply.");
    }
    return new Diagnosis("idle", "No gate: no local writes since the last sync; downloads apply.");
  }

  private static String legacyMessage(State s) {
    StringBuilder text = new StringBuilder("Schema version 13: the gate lives in ps_buckets"
        + " row $local. ");
    LegacyLocal local = s.legacyLocal();
    if (local == null) {
      text.append("There is no $local row, so there is no gate.");
    } else if (local.targetOp() <= local.lastOp()) {
      text.append("$local target_op ").append(local.targetOp()).append(" is not above last_op ")
          .append(local.lastOp()).append(": the gate is open.");
    } else if (s.uploadQueue() > 0) {
      text.append("$local target_op ").append(show(local.targetOp()))
          .append(" is above last_op ").append(local.lastOp()).append(" while ")
          .append(s.uploadQueue()).append(" local write(s) are queued: uploads pending.");
    } else if (local.targetOp() == MAX) {
      text.append("$local target_op is MAX with an empty upload queue: the upload finished but"
          + " no write checkpoint was recorded yet; the next upload or connection sets it.");
    } else {
      text.append("$local target_op ").append(local.targetOp()).append(" is above last_op ")
          .append(local.lastOp()).append(" with an empty upload queue: this is the stuck state a"
              + " crash during upload can leave; downloads stay held until a checkpoint reaches ")
          .append(local.targetOp()).append(". `checkpoints repair DB --clear-stuck-target`"
              + " clears it.");
    }
    text.append(" Migrating to version 14 moves the state into ps_kv.");
    return text.toString();
  }

  static String toJson(State s, Diagnosis d) {
    StringBuilder json = new StringBuilder("{");
    json.append("\"schema_version\": ").append(s.earlierLibraryVersion() ? "null" : s.schemaVersion());
    json.append(", \"client_id\": ").append(string(s.clientId()));
    json.append(", \"target_checkpoint_request_id\": ").append(s.target());
    json.append(", \"last_requested_checkpoint_request_id\": ").append(s.lastRequested());
    json.append(", \"last_seen_checkpoint_request_id\": ").append(s.lastSeen());
    json.append(", \"last_applied_checkpoint_request_id\": ").append(s.lastApplied());
    json.append(", \"upload_queue\": ").append(s.uploadQueue());
    LegacyLocal local = s.legacyLocal();
    json.append(", \"legacy_local\": ").append(local == null ? "null"
        : "{\"last_applied_op\": " + local.lastAppliedOp() + ", \"last_op\": " + local.lastOp()
            + ", \"target_op\": " + local.targetOp() + "}");
    json.append(", \"user_sequences\": ").append(s.userSequences());
    json.append(", \"diagnosis\": {\"code\": ").append(string(d.code()))
        .append(", \"message\": ").append(string(d.message())).append("}}");
    return json.toString();
  }

  private static String toText(State s, Diagnosis d) {
    LegacyLocal local = s.legacyLocal();
    return "schema version:      " + (s.earlierLibraryVersion() ? "none (a file of an earlier version"
        + " of this library)" : s.schemaVersion()) + "\n"
        + "client id:           " + (s.clientId() == null ? "absent" : s.clientId()) + "\n"
        + "target:              " + show(s.target()) + "\n"
        + "counter:             " + show(s.lastRequested()) + "\n"
        + "last seen:           " + show(s.lastSeen()) + "\n"
        + "last applied:        " + show(s.lastApplied()) + "\n"
        + "upload queue:        " + s.uploadQueue() + "\n"
        + "legacy $local:       " + (local == null ? "none"
            : "last_applied_op " + local.lastAppliedOp() + ", last_op " + local.lastOp()
                + ", target_op " + show(local.targetOp())) + "\n"
        + "per-user sequences:  " + s.userSequences() + "\n"
        + "diagnosis:           " + d.code() + ": " + d.message() + "\n";
  }

  private static String string(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder text = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> text.append("\\\"");
        case '\\' -> text.append("\\\\");
        case '\n' -> text.append("\\n");
        case '\r' -> text.append("\\r");
        case '\t' -> text.append("\\t");
        default -> {
          if (c < 0x20) {
            text.append(String.format("\\u%04x", (int) c));
          } else {
            text.append(c);
          }
        }
      }
    }
    return text.append('"').toString();
  }
}

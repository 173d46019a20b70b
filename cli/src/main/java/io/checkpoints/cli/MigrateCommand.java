package io.checkpoints.cli;

import io.checkpoints.adapter.sqlite.SqliteMigrations;
import io.checkpoints.ports.CheckpointException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints migrate DB --to 13|14}: migrates a PowerSync SQLite database between schema
 * versions 13 and 14 with {@link SqliteMigrations} (one transaction; nothing changes on failure),
 * or upgrades a file of this library's earlier version to a PowerSync database, and says what it
 * did in one line. A file it refuses is left byte for byte as it was. Not thread-safe: one
 * instance per execution.
 */
@Command(
    name = "migrate",
    description = {
        "Migrates a PowerSync SQLite database between schema version 13 (the apply gate in"
            + " ps_buckets.$local) and 14 (the gate in ps_kv), as the reference core does, in one"
            + " transaction, and prints what it did as one line.",
        "A file of an earlier version of this library (only ps_kv, ps_crud, ps_tx and"
            + " checkpoint_user_sequence, no ps_migration) is upgraded to a full PowerSync database"
            + " in the same way, keeping its rows.",
        "Migrating to the version the database has changes nothing; a refused file is not touched."},
    exitCodeList = {
        "0:the database is at the target version (migrated, upgraded, or already there)",
        "1:the migration was refused or failed and changed nothing (for example: another"
            + " application's database, an empty file, or a schema version other than 13 or 14)",
        "2:usage error (also: --to is not 13 or 14, DB does not exist, or is a directory)"})
final class MigrateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private DatabaseArgument database;

  @Option(names = "--to", required = true, paramLabel = "VERSION",
      description = "The schema version to migrate to: 13 or 14.")
  private int to;

  @Mixin
  private VerboseMixin verbose;

  @Override
  public Integer call() {
    if (to != SqliteMigrations.LEGACY_VERSION && to != SqliteMigrations.CURRENT_VERSION) {
      throw new ParameterException(spec.commandLine(), "--to must be "
          + SqliteMigrations.LEGACY_VERSION + " or " + SqliteMigrations.CURRENT_VERSION
          + " (the schema versions this library migrates between), got " + to);
    }
    Path db = database.existing();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SqliteMigrations.Result result;
    try {
      result = SqliteMigrations.migrate(db, to);
    } catch (CheckpointException e) {
      err.println(spec.qualifiedName() + ": cannot migrate " + db + " to schema version " + to + ": "
          + e.getMessage());
      verbose.printStackTrace(e, err);
      err.flush();
      return CheckpointsCommand.EXIT_FAILED;
    }
    out.println(result.upgradedEarlierLibraryFile()
        ? "upgraded " + db + ", a file of an earlier version of this library, to a PowerSync"
            + " database at schema version " + result.toVersion()
        : result.changed()
        ? "migrated " + db + " from schema version " + result.fromVersion() + " to " + result.toVersion()
        : db + " is already at schema version " + result.toVersion() + "; nothing changed");
    out.flush();
    return CheckpointsCommand.EXIT_OK;
  }
}

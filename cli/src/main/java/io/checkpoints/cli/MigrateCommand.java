package io.checkpoints.cli;

import io.checkpoints.adapter.sqlite.SqliteMigrations;
import io.checkpoints.ports.CheckpointException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints migrate DB --to 13|14}: migrates a PowerSync SQLite database between schema
 * versions 13 and 14 with {@link SqliteMigrations} (one transaction; nothing changes on failure)
 * and says what it did in one line. Not thread-safe: one instance per execution.
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    versionProvider = CheckpointsCommand.Version.class,
    description = {
        "Migrates a PowerSync SQLite database between schema version 13 (the apply gate in"
            + " ps_buckets.$local) and 14 (the gate in ps_kv), as the reference core does, in one"
            + " transaction, and prints what it did as one line.",
        "Migrating to the version the database has changes nothing."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:the database is at the target version (migrated, or already there)",
        "1:the migration was refused or failed and changed nothing (for example: not a PowerSync"
            + " database, or a schema version other than 13 or 14)",
        "2:usage error (also: --to is not 13 or 14, or DB is not a file)"})
final class MigrateCommand implements Callable<Integer>, VerboseOption {

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DB", description = "The PowerSync SQLite database file.")
  private Path db;

  @Option(names = "--to", required = true, paramLabel = "VERSION",
      description = "The schema version to migrate to: 13 or 14.")
  private int to;

  @Option(names = {"-v", "--verbose"}, description = "Print the stack trace of a failure.")
  private boolean verbose;

  @Override
  public boolean verbose() {
    return verbose;
  }

  @Override
  public Integer call() {
    if (to != SqliteMigrations.LEGACY_VERSION && to != SqliteMigrations.CURRENT_VERSION) {
      throw new ParameterException(spec.commandLine(), "--to must be "
          + SqliteMigrations.LEGACY_VERSION + " or " + SqliteMigrations.CURRENT_VERSION
          + " (the schema versions this library migrates between), got " + to);
    }
    if (!Files.isRegularFile(db)) {
      throw new ParameterException(spec.commandLine(), "no such database file: " + db);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SqliteMigrations.Result result;
    try {
      result = SqliteMigrations.migrate(db, to);
    } catch (CheckpointException e) {
      err.println(spec.qualifiedName() + ": cannot migrate " + db + " to schema version " + to + ": "
          + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
      err.flush();
      return CheckpointsCommand.EXIT_FAILED;
    }
    out.println(result.changed()
        ? "migrated " + db + " from schema version " + result.fromVersion() + " to " + result.toVersion()
        : db + " is already at schema version " + result.toVersion() + "; nothing changed");
    out.flush();
    return CheckpointsCommand.EXIT_OK;
  }
}

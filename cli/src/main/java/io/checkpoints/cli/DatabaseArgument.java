package io.checkpoints.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code DB} argument of the commands that work on one SQLite database file (a picocli mixin):
 * inspect, repair, migrate, sql. Not thread-safe: picocli fills it, one instance per execution.
 */
final class DatabaseArgument {

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Parameters(index = "0", paramLabel = "DB", description = "The SQLite database file.")
  private Path db;

  /** @return the file, which must exist (else a usage error) */
  Path existing() {
    return DatabaseFiles.requireExisting(mixee, db);
  }

  /** @return the file, which is created if missing (its directory must exist, else a usage error) */
  Path creatable() {
    return DatabaseFiles.requireCreatable(mixee, db);
  }

  /** @return the file as given, unchecked */
  Path path() {
    return db;
  }
}

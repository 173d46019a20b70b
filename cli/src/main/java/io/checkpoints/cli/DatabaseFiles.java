package io.checkpoints.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The usage errors (exit 2) about a database file argument, worded the same by every command:
 * a directory, a missing file where one must exist, a missing directory where a file may be
 * created. Stateless and thread-safe.
 */
final class DatabaseFiles {

  private DatabaseFiles() {}

  /** A file that must exist: inspect, repair, migrate. */
  static Path requireExisting(CommandSpec spec, Path file) {
    requireNotDirectory(spec, file);
    if (!Files.exists(file)) {
      throw new ParameterException(spec.commandLine(), "no such database file: " + file);
    }
    return file;
  }

  /** A file that is created if missing: sql, replay, demo. */
  static Path requireCreatable(CommandSpec spec, Path file) {
    requireNotDirectory(spec, file);
    Path directory = file.toAbsolutePath().getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new ParameterException(spec.commandLine(), "the directory of " + file + " does not exist");
    }
    return file;
  }

  private static void requireNotDirectory(CommandSpec spec, Path file) {
    if (Files.isDirectory(file)) {
      throw new ParameterException(spec.commandLine(), file + " is a directory, not a database file");
    }
  }
}

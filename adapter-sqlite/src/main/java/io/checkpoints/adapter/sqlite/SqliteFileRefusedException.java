package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointStorageException;
import java.util.Objects;

/**
 * A SQLite file was refused before anything wrote to it, so it is exactly as it was: a database of
 * another application, a file of this library's earlier version (the message points to
 * {@code checkpoints migrate}), a PowerSync database at a schema version this library does not
 * use, or tables of another shape. {@link #file()} tells what was found. Immutable and thread-safe.
 */
public final class SqliteFileRefusedException extends CheckpointStorageException {

  private static final long serialVersionUID = 1L;

  private final transient SqliteDatabaseFile file;

  /**
   * @param message why, naming the file and what it holds
   * @param file what the file holds
   */
  public SqliteFileRefusedException(String message, SqliteDatabaseFile file) {
    super(message);
    this.file = Objects.requireNonNull(file, "file");
  }

  /** @return what the refused file holds (null only after deserialisation) */
  public SqliteDatabaseFile file() {
    return file;
  }
}

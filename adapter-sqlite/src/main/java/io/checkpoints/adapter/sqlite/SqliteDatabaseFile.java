package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointStorageException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a SQLite file holds, as this library sees it, found without changing the file: whether it
 * is missing or empty (a store may create a database there), a PowerSync database and its schema
 * version, a file of this library's earlier version, a database of another application, or not a
 * SQLite database at all. Stores, migrations and the command line decide from it before they open
 * a file for writing, so that a file they refuse stays byte for byte as it was (no WAL switch, no
 * tables, no {@code -wal} or {@code -shm} file left behind). Immutable and thread-safe.
 */
public final class SqliteDatabaseFile {

  /** What the file is. Immutable and thread-safe. */
  public enum Kind {
    /** No file at the path: a store creates a new PowerSync database there. */
    MISSING,
    /** A file of 0 bytes, or a SQLite database without tables: a store creates a new database in it. */
    EMPTY,
    /** A PowerSync database: it has {@code ps_migration}; see {@link #schemaVersion()}. */
    POWERSYNC,
    /**
     * A file of this library's earlier version: exactly {@code ps_kv}, {@code ps_crud},
     * {@code ps_tx} and {@code checkpoint_user_sequence}, without {@code ps_migration}.
     * {@link SqliteMigrations#migrate(Path, int)} upgrades it to a PowerSync database.
     */
    EARLIER_LIBRARY_VERSION,
    /** A SQLite database with tables that is not a PowerSync database. */
    OTHER_APPLICATION,
    /** A file SQLite does not read as a database. */
    NOT_SQLITE
  }

  /** The columns of the tables this library uses, in order, as a PowerSync database has them. */
  private static final List<List<String>> EXPECTED_COLUMNS = List.of(
      List.of("ps_kv", "key,value"),
      List.of("ps_crud", "id,data,tx_id"),
      List.of("ps_tx", "id,current_tx,next_tx"),
      List.of(SqliteDialect.USER_SEQUENCE_TABLE, "user_key,last_request_id"));

  /** The file as the caller named it, or null for a database known only by its connection. */
  private final String name;
  private final Kind kind;
  private final List<String> tables;
  private final OptionalInt schemaVersion;
  private final List<String> shapeProblems;

  private SqliteDatabaseFile(String name, Kind kind, List<String> tables, OptionalInt schemaVersion,
      List<String> shapeProblems) {
    this.name = name;
    this.kind = kind;
    this.tables = List.copyOf(tables);
    this.schemaVersion = schemaVersion;
    this.shapeProblems = List.copyOf(shapeProblems);
  }

  /**
   * Looks at a file read-only (see {@link SqliteConnections#openReadOnly}): nothing about it
   * changes, and no file is created next to it.
   *
   * @param file the file
   * @return what it holds
   * @throws CheckpointArgumentException if the path is a directory
   * @throws CheckpointStorageException if the file exists but cannot be read
   */
  public static SqliteDatabaseFile inspect(Path file) {
    Objects.requireNonNull(file, "file");
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new CheckpointArgumentException(name + " is a directory, not a database file");
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
      return new SqliteDatabaseFile(name, Kind.MISSING, List.of(), OptionalInt.empty(), List.of());
    }
    try {
      if (Files.size(file) == 0) {
        return new SqliteDatabaseFile(name, Kind.EMPTY, List.of(), OptionalInt.empty(), List.of());
      }
    } catch (java.io.IOException e) {
      throw new CheckpointStorageException("SQLite: could not read " + file + ": " + e.getMessage(), e);
    }
    try (Connection connection = SqliteConnections.openReadOnly(file)) {
      return of(name, connection);
    } catch (SQLException e) {
      if (e.getErrorCode() == 26 /* SQLITE_NOTADB */) {
        return new SqliteDatabaseFile(name, Kind.NOT_SQLITE, List.of(), OptionalInt.empty(), List.of());
      }
      throw SqliteDialect.storageFailure("could not read " + file, e);
    }
  }

  /**
   * What the database of a connection holds, read with plain queries that change nothing (inside
   * the caller's transaction, if it has one).
   *
   * @param name how messages name the database (its file), or null if it has no name
   * @param connection the connection
   * @return what it holds; never {@link Kind#MISSING} or {@link Kind#NOT_SQLITE}
   * @throws SQLException if it cannot be read; {@code SQLITE_NOTADB} for a file that is not SQLite
   */
  public static SqliteDatabaseFile of(String name, Connection connection) throws SQLException {
    List<String> tables = new ArrayList<>();
    int otherObjects = 0;
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT type, name FROM sqlite_master"
            + " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
      while (rows.next()) {
        if ("table".equals(rows.getString(1))) {
          tables.add(rows.getString(2));
        } else {
          otherObjects++;
        }
      }
    }
    if (tables.isEmpty() && otherObjects == 0) {
      return new SqliteDatabaseFile(name, Kind.EMPTY, tables, OptionalInt.empty(), List.of());
    }
    List<String> problems = shapeProblems(connection, tables);
    if (tables.contains("ps_migration")) {
      int version;
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT coalesce(max(id), 0) FROM ps_migration")) {
        rows.next();
        version = rows.getInt(1);
      }
      return new SqliteDatabaseFile(name, Kind.POWERSYNC, tables, OptionalInt.of(version), problems);
    }
    List<String> sorted = tables.stream().sorted().toList();
    Kind kind = sorted.equals(PowerSyncSchema.EARLIER_LIBRARY_TABLES.stream().sorted().toList())
        && problems.isEmpty() && otherObjects == 0
        ? Kind.EARLIER_LIBRARY_VERSION : Kind.OTHER_APPLICATION;
    return new SqliteDatabaseFile(name, kind, tables, OptionalInt.empty(), problems);
  }

  private static List<String> shapeProblems(Connection connection, List<String> tables)
      throws SQLException {
    List<String> problems = new ArrayList<>();
    for (List<String> expected : EXPECTED_COLUMNS) {
      String table = expected.get(0);
      if (!tables.contains(table)) {
        continue;
      }
      try (PreparedStatement statement = connection.prepareStatement("SELECT group_concat(name, ',')"
          + " FROM (SELECT name FROM pragma_table_info(?) ORDER BY cid)")) {
        statement.setString(1, table);
        try (ResultSet rows = statement.executeQuery()) {
          String actual = rows.next() ? rows.getString(1) : null;
          if (!expected.get(1).equals(actual)) {
            problems.add("table " + table + " has the columns (" + actual + "), expected ("
                + expected.get(1) + ")");
          }
        }
      }
    }
    return problems;
  }

  /** @return what the file is */
  public Kind kind() {
    return kind;
  }

  /**
   * @return the tables the file holds, by name, without SQLite's own ({@code sqlite_*}); empty
   *     for a missing, empty or non-SQLite file
   */
  public List<String> tables() {
    return tables;
  }

  /** @return the highest version in {@code ps_migration} of a PowerSync database, else empty */
  public OptionalInt schemaVersion() {
    return schemaVersion;
  }

  /**
   * @return the tables this library uses that have other columns than in a PowerSync database,
   *     one sentence each (empty when all are as expected)
   */
  public List<String> shapeProblems() {
    return shapeProblems;
  }

  /** @return whether a checkpoint store would create a new database here (missing or empty) */
  public boolean isNew() {
    return kind == Kind.MISSING || kind == Kind.EMPTY;
  }

  /**
   * @return what the file is, in words: "a PowerSync database at schema version 14", "a file of
   *     an earlier version of this library ...", "a SQLite database of another application (tables:
   *     ...)", ...
   */
  public String describe() {
    return switch (kind) {
      case MISSING -> "no file";
      case EMPTY -> "an empty database (no tables)";
      case POWERSYNC -> "a PowerSync database at schema version " + schemaVersion.orElse(0);
      case EARLIER_LIBRARY_VERSION -> "a file of an earlier version of this library (only the"
          + " tables " + String.join(", ", tables) + ", no ps_migration), which PowerSync SDKs"
          + " cannot open";
      case OTHER_APPLICATION -> "not a PowerSync database: a SQLite database of another"
          + " application, with " + (tables.isEmpty() ? "no tables but other schema objects"
              : (tables.size() == 1 ? "the table " : "the tables ") + String.join(", ", tables))
          + " and no ps_migration table";
      case NOT_SQLITE -> "not a SQLite database";
    };
  }

  /**
   * Refuses, before anything opens the file for writing, a file a checkpoint store must not use.
   *
   * @param options whether a version 13 database is migrated on open
   * @throws SqliteFileRefusedException unless the file is new, a PowerSync database at version 14
   *     (or 13 with {@link SqliteStoreOptions#withLegacySchemaMigration}) whose tables have the
   *     expected columns
   */
  public void requireUsableByStore(SqliteStoreOptions options) {
    if (isNew()) {
      return;
    }
    refuseUnlessPowerSync();
    int version = schemaVersion.orElseThrow();
    if (version == SqliteMigrations.CURRENT_VERSION
        || version == SqliteMigrations.LEGACY_VERSION && options.migratesLegacySchema()) {
      return;
    }
    if (version == SqliteMigrations.LEGACY_VERSION) {
      throw refused("the database is a PowerSync database at schema version 13, which keeps the"
          + " apply gate in ps_buckets.$local; migrate it to 14 first (`checkpoints migrate " + fileArgument()
          + " --to 14`, SqliteMigrations.migrate, or SqliteStoreOptions.withLegacySchemaMigration(true))");
    }
    throw refused("the database is a PowerSync database at schema version " + version
        + "; this library works on version " + SqliteMigrations.CURRENT_VERSION
        + (version > SqliteMigrations.CURRENT_VERSION ? " and refuses a newer one it does not know"
            : " (and migrates 13)"));
  }

  /**
   * Refuses a file that {@link SqliteMigrations} cannot migrate.
   *
   * @throws CheckpointArgumentException if the file is missing
   * @throws SqliteFileRefusedException unless the file is a PowerSync database at version 13 or 14
   *     whose tables have the expected columns, or a file of this library's earlier version
   */
  public void requireMigratable() {
    if (kind == Kind.EARLIER_LIBRARY_VERSION) {
      return;
    }
    if (kind == Kind.MISSING) {
      throw new CheckpointArgumentException("no database file at " + label());
    }
    if (isNew()) {
      throw refused(label() + " is " + describe() + ": there is nothing to migrate (a checkpoint store"
          + " creates a PowerSync database at schema version " + SqliteMigrations.CURRENT_VERSION
          + " in it)");
    }
    refuseUnlessPowerSync();
    SqliteMigrations.unmigratableVersion(schemaVersion.orElseThrow()).ifPresent(why -> {
      throw refused(why);
    });
  }

  /**
   * Refuses a file that nothing in this library can use, not even after a migration: what
   * {@link SqliteConnections#open} refuses.
   *
   * @throws SqliteFileRefusedException for another application's database, a file that is not
   *     SQLite, or a PowerSync database at another version than 13 or 14 or with tables of
   *     another shape
   */
  void requireUsableByLibrary() {
    if (isNew() || kind == Kind.EARLIER_LIBRARY_VERSION) {
      return;
    }
    requireMigratable();
  }

  private void refuseUnlessPowerSync() {
    switch (kind) {
      case EARLIER_LIBRARY_VERSION -> throw refused(label() + " is " + describe() + "; upgrade it to a"
          + " PowerSync database with `checkpoints migrate " + fileArgument() + " --to "
          + SqliteMigrations.CURRENT_VERSION + "` (SqliteMigrations.migrate)");
      case OTHER_APPLICATION, NOT_SQLITE -> throw refused(label() + " is " + describe()
          + (shapeProblems.isEmpty() ? "" : " (" + String.join("; ", shapeProblems) + ")")
          + "; this library leaves it untouched");
      default -> {
        if (!shapeProblems.isEmpty()) {
          throw refused(label() + " is " + describe() + ", but " + String.join("; ", shapeProblems)
              + "; this file cannot be used");
        }
      }
    }
  }

  private SqliteFileRefusedException refused(String message) {
    return new SqliteFileRefusedException(message, this);
  }

  /** @return the name of the file, as the caller gave it, if it has one */
  public java.util.Optional<String> name() {
    return java.util.Optional.ofNullable(name);
  }

  private String label() {
    return name != null ? name : "the database";
  }

  /** The file as a command-line argument, in the hints that name a command. */
  private String fileArgument() {
    return name != null ? name : "DB";
  }

  /** @return the kind, tables and version, for diagnostics */
  @Override
  public String toString() {
    return "SqliteDatabaseFile[" + label() + ": " + kind + ", tables=" + tables
        + schemaVersion.stream().mapToObj(v -> ", version=" + v).findFirst().orElse("")
        + (shapeProblems.isEmpty() ? "" : ", problems=" + shapeProblems) + "]";
  }
}

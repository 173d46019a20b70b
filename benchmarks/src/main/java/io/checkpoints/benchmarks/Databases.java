package io.checkpoints.benchmarks;

import io.checkpoints.adapter.sqlite.SqliteConnections;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.testkit.reference.ReferenceCore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files and connections shared by the benchmarks: every database is a file in WAL mode, synchronous=NORMAL. */
final class Databases {

  private Databases() {}

  /**
   * A new directory for a benchmark's databases: in {@code -Dcheckpoints.bench.dir} if set (for
   * example {@code /dev/shm}, to take the host's disk out of the comparison), else the JVM's
   * temporary directory.
   */
  static Path newDirectory() {
    try {
      String parent = System.getProperty("checkpoints.bench.dir");
      return parent == null
          ? Files.createTempDirectory("checkpoints-bench")
          : Files.createTempDirectory(Path.of(parent), "checkpoints-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes what a benchmark opened, in order, then deletes its directory. */
  static void closeAndDelete(Path directory, AutoCloseable... opened) throws Exception {
    for (AutoCloseable each : opened) {
      each.close();
    }
    delete(directory);
  }

  static void delete(Path directory) {
    if (directory == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A reference-core connection on a PowerSync database (powersync_init), WAL, synchronous=NORMAL. */
  static Connection reference(Path file) throws SQLException {
    Connection connection = ReferenceCore.get().open(file);
    walNormal(connection);
    ReferenceCore.initialize(connection);
    return connection;
  }

  /** A plain sqlite-jdbc connection configured as our store's (WAL, busy timeout, synchronous=NORMAL). */
  static Connection plain(Path file) {
    return SqliteConnections.open(file, SqliteStoreOptions.defaults());
  }

  /**
   * A plain connection (as {@link #plain}) on a file with only the tables the local-write floors
   * write: ps_kv, ps_crud and ps_tx (its row 1, next_tx 1), as the PowerSync schema declares them.
   */
  static Connection floor(Path file) throws SQLException {
    Connection connection = plain(file);
    execute(connection, "CREATE TABLE IF NOT EXISTS ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB)");
    execute(connection, "CREATE TABLE IF NOT EXISTS ps_crud (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT, tx_id INTEGER)");
    execute(connection, "CREATE TABLE IF NOT EXISTS ps_tx(id INTEGER PRIMARY KEY NOT NULL, current_tx INTEGER, next_tx INTEGER)");
    execute(connection, "INSERT OR IGNORE INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 1)");
    return connection;
  }

  static void walNormal(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA journal_mode=WAL");
      statement.execute("PRAGMA synchronous=NORMAL");
    }
  }

  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static Object value(PreparedStatement statement) throws SQLException {
    try (ResultSet rs = statement.executeQuery()) {
      return rs.next() ? rs.getObject(1) : null;
    }
  }

  static String text(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      Object v = value(statement);
      return v == null ? null : v.toString();
    }
  }
}

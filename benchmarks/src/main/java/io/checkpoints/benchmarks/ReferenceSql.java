package io.checkpoints.benchmarks;

import io.checkpoints.testkit.reference.ReferenceCore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The reference side of {@link SqlCliBenchmark}: {@code checkpoints sql DB --iteration requests
 * --file FILE} done by the reference core in a fresh JVM. Opens {@code DB} on sqlite-jdbc with the
 * reference core loaded as an extension (WAL, synchronous=NORMAL, {@code powersync_init}), starts
 * an iteration in requests mode and prints its instructions as the first line, then runs each line
 * of {@code FILE} as one statement in its own {@code BEGIN IMMEDIATE ... COMMIT} and prints one
 * line per statement as {@code checkpoints sql} does ({@code {"ok": <first column>}} or
 * {@code {"error": "<message>"}}). The same JDBC work per statement as {@code checkpoints sql}: a
 * statement object per statement, and a flush per line.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.checkpoints.benchmarks.ReferenceSql
 * DB FILE}. Not thread-safe; a program.
 */
public final class ReferenceSql {

  private ReferenceSql() {}

  /**
   * @param args the database file and the statements file
   * @throws SQLException if the database cannot be used
   * @throws IOException if the statements cannot be read
   */
  public static void main(String[] args) throws SQLException, IOException {
    if (args.length != 2) {
      System.err.println("usage: ReferenceSql DB FILE");
      System.exit(2);
    }
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    try (Connection connection = Databases.reference(Path.of(args[0]));
        BufferedReader statements = Files.newBufferedReader(Path.of(args[1]))) {
      out.println("{\"ok\": " + run(connection,
          "SELECT powersync_control('start', '{\"checkpoint_mode\":\"requests\"}')") + "}");
      out.flush();
      for (String sql = statements.readLine(); sql != null; sql = statements.readLine()) {
        if (!sql.isBlank()) {
          out.println(line(connection, sql));
          out.flush();
        }
      }
    }
  }

  private static String line(Connection connection, String sql) {
    try {
      return "{\"ok\": " + run(connection, sql) + "}";
    } catch (SQLException e) {
      return "{\"error\": \"" + e.getMessage().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }
  }

  /** Runs one statement in its own transaction; its first value, rolled back on failure. */
  private static Object run(Connection connection, String sql) throws SQLException {
    try (Statement control = connection.createStatement()) {
      control.execute("BEGIN IMMEDIATE");
      Object value = null;
      try (Statement statement = connection.createStatement()) {
        if (statement.execute(sql)) {
          try (ResultSet rows = statement.getResultSet()) {
            value = rows.next() ? rows.getObject(1) : null;
          }
        }
      } catch (SQLException e) {
        control.execute("ROLLBACK");
        throw e;
      }
      control.execute("COMMIT");
      return value;
    }
  }

  /** @return the reference core, fetched if needed: for a harness that must not fetch in its timing */
  static Path library() {
    return ReferenceCore.get().library();
  }
}

package io.checkpoints.adapter.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteException;

/** Small JDBC helpers for the tests: typed results, stored values, the SQLite error text. */
final class Sql {

  private static final Pattern DRIVER_MESSAGE =
      Pattern.compile("^\\[[A-Z_]+\\] [^(]*\\((.*)\\)$", Pattern.DOTALL);

  private Sql() {}

  /** Runs a statement in autocommit mode. */
  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /**
   * Runs a one-value query in its own BEGIN ... COMMIT (ROLLBACK after an error) and describes the
   * outcome: {@code integer 5}, {@code real 5.0}, {@code text abc}, {@code null}, or
   * {@code error <SQLite's message>}.
   */
  static String outcomeInTransaction(Connection connection, String sql) throws SQLException {
    execute(connection, "BEGIN");
    try {
      String outcome = outcome(connection, sql);
      execute(connection, "COMMIT");
      return outcome;
    } catch (SQLException | RuntimeException e) {
      execute(connection, "ROLLBACK");
      throw e;
    }
  }

  /** As {@link #outcomeInTransaction}, in whatever transaction state the connection is. */
  static String outcome(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return describe(rs.getObject(1));
    } catch (SQLiteException e) {
      return "error " + message(e);
    }
  }

  static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Long || value instanceof Integer) {
      return "integer " + value;
    }
    if (value instanceof Double) {
      return "real " + value;
    }
    if (value instanceof String) {
      return "text " + value;
    }
    return value.getClass().getSimpleName() + " " + value;
  }

  /** SQLite's own message, without the driver's {@code [CODE] description (...)} wrapping. */
  static String message(SQLException e) {
    String text = String.valueOf(e.getMessage());
    Matcher matcher = DRIVER_MESSAGE.matcher(text);
    return matcher.matches() ? matcher.group(1) : text;
  }

  /** The {@code ps_kv} value of a key as {@code <value> (<typeof>)}, or {@code absent}. */
  static String stored(Connection connection, String key) throws SQLException {
    try (var statement = connection.prepareStatement(
        "SELECT quote(value), typeof(value) FROM ps_kv WHERE key = ?")) {
      statement.setString(1, key);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getString(1) + " (" + rs.getString(2) + ")" : "absent";
      }
    }
  }

  /** Every row of a query, each as its columns' {@code quote()} texts joined by {@code |}. */
  static List<String> rows(Connection connection, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          if (i > 1) {
            row.append('|');
          }
          Object value = rs.getObject(i);
          row.append(value instanceof byte[] bytes ? "x'" + java.util.HexFormat.of().formatHex(bytes) + "'"
              : String.valueOf(value));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  /** The single value of a query, or null. */
  static Object value(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getObject(1) : null;
    }
  }
}

package io.checkpoints.adapter.h2;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Plain JDBC on H2 for tests: statements and single values, no store involved. */
final class Sql {

  private Sql() {}

  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** @return column 1 of the first row, or null when there is no row */
  static Object value(Connection connection, String query) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      return rows.next() ? rows.getObject(1) : null;
    }
  }

  /** @return column 1 of every row, as text */
  static List<String> strings(Connection connection, String query) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }

  /**
   * @return the JSON text of {@code ps_kv} row {@code key} ({@code 42} for an integer,
   *     {@code "abc"} with quotes for a text), or {@code absent}
   */
  static String stored(Connection connection, String key) throws SQLException {
    Object value = value(connection,
        "SELECT CAST(\"VALUE\" AS VARCHAR) FROM ps_kv WHERE \"KEY\" = '" + key + "'");
    return value == null ? "absent" : value.toString();
  }
}

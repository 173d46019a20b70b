package io.checkpoints.adapter.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Runs a statement with positional parameters directly on a handle's JDBC connection, without
 * Jdbi's per-statement work. For the statements every allocation and every local write runs:
 * measured on SQLite, that work cost as much as SQLite's own for those short statements (see
 * {@code docs/performance.md}). Everything else goes through Jdbi.
 *
 * <p>On a connection a {@link JdbcCheckpointStore} owns, the statement is taken from the store's
 * kept statements and given back; on any other connection it is prepared and closed. A failure is
 * thrown as Jdbi's {@link UnableToExecuteStatementException} with the driver's
 * {@link SQLException} as its cause, as a statement run through Jdbi would fail.
 *
 * <p>Thread-safe as a class (it has no state); a handle must be used by one thread at a time, as
 * the store's lock ensures for the methods of a {@link SqlDialect}.
 */
public final class DirectStatements {

  private DirectStatements() {}

  /**
   * Runs a statement that returns no rows.
   *
   * @param handle the connection
   * @param sql the statement, with {@code ?} or {@code ?NNN} parameters
   * @param parameters the parameters in order, bound with {@link PreparedStatement#setObject}
   * @throws UnableToExecuteStatementException if the statement failed
   */
  public static void execute(Handle handle, String sql, Object... parameters) {
    run(handle, sql, parameters, statement -> {
      statement.execute();
      return null;
    });
  }

  /**
   * Runs a statement (a query, or a change with {@code RETURNING}) and reads column 1 of its first
   * row as an integer.
   *
   * @param handle the connection
   * @param sql the statement, with {@code ?} or {@code ?NNN} parameters
   * @param parameters the parameters in order, bound with {@link PreparedStatement#setObject}
   * @return the value, or empty if the statement returned no row
   * @throws UnableToExecuteStatementException if the statement failed
   */
  public static OptionalLong queryLong(Handle handle, String sql, Object... parameters) {
    Optional<Long> value = queryRow(handle, sql, row -> row.getLong(1), parameters);
    return value.isPresent() ? OptionalLong.of(value.get()) : OptionalLong.empty();
  }

  /**
   * Runs a statement (a query, or a change with {@code RETURNING}) and reads its first row.
   *
   * @param handle the connection
   * @param sql the statement, with {@code ?} or {@code ?NNN} parameters
   * @param reader reads the row the result set is on; must not move the result set
   * @param parameters the parameters in order, bound with {@link PreparedStatement#setObject}
   * @param <T> what the row becomes
   * @return what {@code reader} made of the first row, or empty if the statement returned no row
   * @throws UnableToExecuteStatementException if the statement failed
   */
  public static <T> Optional<T> queryRow(Handle handle, String sql, RowReader<T> reader,
      Object... parameters) {
    return run(handle, sql, parameters, statement -> {
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? Optional.of(reader.read(row)) : Optional.empty();
      }
    });
  }

  /**
   * Runs a statement (a query, or a change with {@code RETURNING}) and reads column 1 of every row
   * as an integer.
   *
   * @param handle the connection
   * @param sql the statement, with {@code ?} or {@code ?NNN} parameters
   * @param parameters the parameters in order, bound with {@link PreparedStatement#setObject}
   * @return the values, in the order the statement returned them
   * @throws UnableToExecuteStatementException if the statement failed
   */
  public static long[] queryLongs(Handle handle, String sql, Object... parameters) {
    return run(handle, sql, parameters, statement -> {
      try (ResultSet rows = statement.executeQuery()) {
        long[] values = new long[16];
        int count = 0;
        while (rows.next()) {
          if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
          }
          values[count++] = rows.getLong(1);
        }
        return Arrays.copyOf(values, count);
      }
    });
  }

  /**
   * Reads one row of a result set.
   *
   * @param <T> what the row becomes
   */
  @FunctionalInterface
  public interface RowReader<T> {
    /**
     * @param row the result set, on the row to read
     * @return the row's value; not null
     * @throws SQLException if a column cannot be read
     */
    T read(ResultSet row) throws SQLException;
  }

  private interface Execution<T> {
    T run(PreparedStatement statement) throws SQLException;
  }

  private static <T> T run(Handle handle, String sql, Object[] parameters, Execution<T> execution) {
    StatementBuilder builder = handle.getStatementBuilder();
    CachingStatementBuilder cache =
        builder instanceof CachingStatementBuilder caching ? caching : null;
    Connection connection = handle.getConnection();
    try {
      PreparedStatement statement =
          cache != null ? cache.acquire(connection, sql) : connection.prepareStatement(sql);
      try {
        for (int i = 0; i < parameters.length; i++) {
          statement.setObject(i + 1, parameters[i]);
        }
        return execution.run(statement);
      } finally {
        if (cache != null) {
          cache.release(statement);
        } else {
          statement.close();
        }
      }
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(sql, e, null);
    }
  }
}

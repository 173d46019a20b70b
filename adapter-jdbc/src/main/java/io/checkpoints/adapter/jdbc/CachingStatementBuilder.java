package io.checkpoints.adapter.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * A Jdbi {@link StatementBuilder} that keeps prepared statements for reuse, for a connection the
 * store owns: the store runs the same few statements in every transaction, and preparing them
 * again each time cost as much as running them (SQLite compiles a statement on every prepare).
 *
 * <p>A statement is reused only once Jdbi has handed it back, so two statements with the same text
 * can run at the same time (one nested in the other, as when a SQL function of ours runs inside a
 * caller's query): the second is prepared afresh. At most {@code capacity} idle statements are
 * kept, the least recently used closed first, so that statements whose text varies (DDL, clear's
 * table names) cannot accumulate. Statements that return generated keys or updatable results are
 * never kept. The store calls {@link #close(Connection)} before it closes the handle: Jdbi closes
 * only the builder a handle was opened with, not one set later.
 *
 * <p>Not thread-safe: a handle, and so its builder, is used by one thread at a time (the store's
 * lock guarantees it).
 */
final class CachingStatementBuilder implements StatementBuilder {

  private final StatementBuilder delegate = new DefaultStatementBuilder();
  private final int capacity;
  /** Idle statements by their translated SQL, least recently used first. */
  private final LinkedHashMap<String, PreparedStatement> idle;
  /** Statements Jdbi holds now that go back to {@link #idle} when it closes them. */
  private final Map<Statement, String> inUse = new IdentityHashMap<>();

  CachingStatementBuilder(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.idle = new LinkedHashMap<>(capacity, 0.75f, true);
  }

  @Override
  public Statement create(Connection connection, StatementContext context) throws SQLException {
    return delegate.create(connection, context);
  }

  @Override
  public PreparedStatement create(Connection connection, String sql, StatementContext context)
      throws SQLException {
    if (context.isReturningGeneratedKeys() || context.isConcurrentUpdatable()) {
      return delegate.create(connection, sql, context);
    }
    return acquire(connection, sql);
  }

  /**
   * Takes a kept statement for {@code sql}, or prepares one; give it back with {@link #release}.
   * {@link DirectStatements} uses this for the statements it runs without Jdbi.
   *
   * @param connection the connection the builder serves
   * @param sql the statement's text, with {@code ?} parameters
   * @return the statement, reserved for the caller until released
   * @throws SQLException if preparing fails
   */
  PreparedStatement acquire(Connection connection, String sql) throws SQLException {
    PreparedStatement statement = idle.remove(sql);
    if (statement != null && !usable(statement)) {
      statement = null;
    }
    if (statement == null) {
      statement = connection.prepareStatement(sql);
    }
    inUse.put(statement, sql);
    return statement;
  }

  /**
   * Whether a kept statement can run again. sqlite-jdbc finalizes a statement that failed with
   * most error codes (SQLITE_ERROR among them) without marking it closed, and such a statement
   * then fails every later run with "statement is not executing". Asking for its parameter count
   * fails the same way, without a call into SQLite, so a dead statement is prepared afresh.
   */
  private static boolean usable(PreparedStatement statement) {
    try {
      if (statement.isClosed()) {
        return false;
      }
      statement.getParameterMetaData().getParameterCount();
      return true;
    } catch (SQLException e) {
      try {
        statement.close();
      } catch (SQLException closeFailure) {
        // Already finalized by the driver: nothing left to release.
      }
      return false;
    }
  }

  @Override
  public CallableStatement createCall(Connection connection, String sql, StatementContext context)
      throws SQLException {
    return delegate.createCall(connection, sql, context);
  }

  /** Keeps a statement this builder prepared for reuse; closes anything else. */
  @Override
  public void close(Connection connection, String sql, Statement statement) throws SQLException {
    // Jdbi passes the statement's text before translation here: the statement is looked up instead.
    release(statement);
  }

  /**
   * Gives back a statement from {@link #acquire} (or from Jdbi) for reuse; closes a statement this
   * builder does not keep.
   *
   * @param statement the statement, no longer used by the caller
   * @throws SQLException if closing a statement fails
   */
  void release(Statement statement) throws SQLException {
    String sql = inUse.remove(statement);
    if (sql == null || statement.isClosed()) {
      statement.close();
      return;
    }
    PreparedStatement displaced = idle.put(sql, (PreparedStatement) statement);
    if (displaced != null) {
      displaced.close(); // two ran at once: keep one
    }
    if (idle.size() > capacity) {
      var eldest = idle.entrySet().iterator();
      PreparedStatement evicted = eldest.next().getValue();
      eldest.remove();
      evicted.close();
    }
  }

  /** Closes every statement kept or still in use. */
  @Override
  public void close(Connection connection) {
    List<Statement> all = new ArrayList<>(idle.values());
    all.addAll(inUse.keySet());
    idle.clear();
    inUse.clear();
    for (Statement statement : all) {
      try {
        statement.close();
      } catch (SQLException e) {
        // The connection closes next and releases what is left; nothing to report to anyone.
      }
    }
  }

  /** @return how many statements are kept idle (for tests) */
  int idleCount() {
    return idle.size();
  }
}

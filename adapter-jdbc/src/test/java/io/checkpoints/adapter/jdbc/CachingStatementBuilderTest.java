package io.checkpoints.adapter.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The statements a store keeps on its own connection, on an in-memory SQLite database. */
class CachingStatementBuilderTest extends InMemorySqliteTest {

  @BeforeEach
  void createTable() {
    handle.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
    handle.execute("INSERT INTO t(id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  }

  @Test
  @DisplayName("a statement given back is reused for the same text, not for another")
  void reusesByText() throws SQLException {
    CachingStatementBuilder cache = new CachingStatementBuilder(8);
    PreparedStatement first = cache.acquire(connection, "SELECT 1");
    cache.release(first);
    assertThat(cache.acquire(connection, "SELECT 1")).isSameAs(first);
    assertThat(cache.acquire(connection, "SELECT 2")).isNotSameAs(first);
  }

  @Test
  @DisplayName("a kept statement the driver finalized after an error is prepared afresh, not reused dead")
  void replacesAStatementFinalizedByAnError() throws SQLException {
    CachingStatementBuilder cache = new CachingStatementBuilder(8);
    handle.execute("BEGIN");
    try {
      PreparedStatement begin = cache.acquire(connection, "BEGIN");
      // SQLITE_ERROR: sqlite-jdbc finalizes the statement but does not mark it closed.
      assertThatThrownBy(begin::execute).hasMessageContaining("within a transaction");
      cache.release(begin);
    } finally {
      handle.execute("ROLLBACK");
    }
    PreparedStatement again = cache.acquire(connection, "BEGIN");
    again.execute(); // a dead statement would fail with "statement is not executing"
    handle.execute("ROLLBACK");
    cache.release(again);
  }

  @Test
  @DisplayName("a statement still in use is not handed out twice; of two given back, one is kept")
  void inUseIsNotShared() throws SQLException {
    CachingStatementBuilder cache = new CachingStatementBuilder(8);
    PreparedStatement outer = cache.acquire(connection, "SELECT 1");
    PreparedStatement inner = cache.acquire(connection, "SELECT 1");
    assertThat(inner).isNotSameAs(outer);
    cache.release(inner);
    cache.release(outer);
    assertThat(cache.idleCount()).isEqualTo(1);
    assertThat(inner.isClosed()).as("the one displaced is closed").isTrue();
    assertThat(cache.acquire(connection, "SELECT 1")).isSameAs(outer);
  }

  @Test
  @DisplayName("at most capacity statements are kept; the least recently used is closed")
  void boundedByCapacity() throws SQLException {
    CachingStatementBuilder cache = new CachingStatementBuilder(2);
    List<PreparedStatement> statements = new ArrayList<>();
    for (String sql : List.of("SELECT 1", "SELECT 2", "SELECT 3")) {
      PreparedStatement statement = cache.acquire(connection, sql);
      statements.add(statement);
      cache.release(statement);
    }
    assertThat(cache.idleCount()).isEqualTo(2);
    assertThat(statements.get(0).isClosed()).isTrue();
    assertThat(statements.get(1).isClosed()).isFalse();
    assertThat(statements.get(2).isClosed()).isFalse();
    assertThatThrownBy(() -> new CachingStatementBuilder(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1, got 0");
  }

  @Test
  @DisplayName("through Jdbi: reused statements bind fresh values, nested runs of one text both work")
  void throughJdbi() throws SQLException {
    CachingStatementBuilder cache = new CachingStatementBuilder(8);
    handle.setStatementBuilder(cache);
    String byId = "SELECT name FROM t WHERE id = :id";
    for (int id = 1; id <= 3; id++) {
      assertThat(handle.createQuery(byId).bind("id", id).mapTo(String.class).one())
          .isEqualTo(String.valueOf((char) ('a' + id - 1)));
    }
    // While the outer query's rows are read, the same text runs again inside.
    String all = "SELECT id FROM t WHERE id >= :from ORDER BY id";
    List<String> pairs = new ArrayList<>();
    handle.createQuery(all).bind("from", 1).mapTo(Integer.class).useIterator(ids -> ids.forEachRemaining(
        id -> pairs.add(id + ":" + handle.createQuery(all).bind("from", id).mapTo(Integer.class).list())));
    assertThat(pairs).containsExactly("1:[1, 2, 3]", "2:[2, 3]", "3:[3]");
    assertThat(cache.idleCount()).isEqualTo(2);
  }

  @Test
  @DisplayName("statements returning generated keys are not kept")
  void generatedKeysAreNotKept() {
    CachingStatementBuilder cache = new CachingStatementBuilder(8);
    handle.setStatementBuilder(cache);
    long id = handle.createUpdate("INSERT INTO t(name) VALUES (:name)")
        .bind("name", "d")
        .executeAndReturnGeneratedKeys("id")
        .mapTo(Long.class)
        .one();
    assertThat(id).isEqualTo(4);
    assertThat(cache.idleCount()).isZero();
  }

  @Test
  @DisplayName("closing closes every statement, kept or still in use")
  void closeClosesAll() throws SQLException {
    CachingStatementBuilder cache = new CachingStatementBuilder(8);
    PreparedStatement kept = cache.acquire(connection, "SELECT 1");
    cache.release(kept);
    PreparedStatement inUse = cache.acquire(connection, "SELECT 2");
    cache.close(connection);
    assertThat(kept.isClosed()).isTrue();
    assertThat(inUse.isClosed()).isTrue();
    assertThat(cache.idleCount()).isZero();
  }
}

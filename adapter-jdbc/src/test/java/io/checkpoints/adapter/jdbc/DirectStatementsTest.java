package io.checkpoints.adapter.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.OptionalLong;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Statements run on the JDBC connection without Jdbi, with and without kept statements. */
class DirectStatementsTest extends InMemorySqliteTest {

  @BeforeEach
  void createTable() {
    handle.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER)");
  }

  @ParameterizedTest(name = "statements kept: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("binds positional and numbered parameters, reads column 1 or a whole row, empty without a row")
  void runsStatements(boolean kept) {
    CachingStatementBuilder cache = new CachingStatementBuilder(8);
    if (kept) {
      handle.setStatementBuilder(cache);
    }
    for (long n : new long[] {0, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
      DirectStatements.execute(handle, "INSERT INTO t(n) VALUES (?)", n);
    }
    assertThat(DirectStatements.queryLong(handle, "SELECT count(*) FROM t WHERE n = ?1 OR n = ?1 + 1", -1L))
        .isEqualTo(OptionalLong.of(2));
    assertThat(DirectStatements.queryLong(handle, "SELECT max(n) FROM t")).hasValue(Long.MAX_VALUE);
    assertThat(DirectStatements.queryLong(handle, "UPDATE t SET n = n - 1 WHERE n = ? RETURNING n", Long.MAX_VALUE))
        .hasValue(Long.MAX_VALUE - 1);
    assertThat(DirectStatements.queryLong(handle, "SELECT n FROM t WHERE id = ?", 99)).isEmpty();
    assertThat(DirectStatements.queryRow(handle, "SELECT id, n > 0 FROM t WHERE n = ?",
        row -> row.getLong(1) + "/" + row.getBoolean(2), 0L)).contains("1/false");
    assertThat(DirectStatements.queryRow(handle, "SELECT id FROM t WHERE n = ?", row -> "row", 7L)).isEmpty();
    assertThat(cache.idleCount()).isEqualTo(kept ? 7 : 0);
  }

  @ParameterizedTest(name = "statements kept: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a failing statement throws Jdbi's exception with the driver's cause, and can run again")
  void failures(boolean kept) {
    if (kept) {
      handle.setStatementBuilder(new CachingStatementBuilder(8));
    }
    DirectStatements.execute(handle, "INSERT INTO t(id, n) VALUES (?, ?)", 1, 1);
    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(() -> DirectStatements.execute(handle, "INSERT INTO t(id, n) VALUES (?, ?)", 1, 2))
          .isInstanceOf(UnableToExecuteStatementException.class)
          .hasCauseInstanceOf(SQLException.class)
          .hasRootCauseMessage("[SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed"
              + " (UNIQUE constraint failed: t.id)");
    }
    assertThatThrownBy(() -> DirectStatements.queryLong(handle, "SELECT nope FROM t"))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasRootCauseMessage("[SQLITE_ERROR] SQL error or missing database (no such column: nope)");
    DirectStatements.execute(handle, "INSERT INTO t(id, n) VALUES (?, ?)", 2, 2);
    assertThat(DirectStatements.queryLong(handle, "SELECT sum(n) FROM t")).hasValue(3);
  }
}

package io.checkpoints.adapter.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh in-memory SQLite database per test, with a Jdbi handle on its connection. */
abstract class InMemorySqliteTest {

  protected Connection connection;
  protected Handle handle;

  @BeforeEach
  void openDatabase() throws SQLException {
    connection = DriverManager.getConnection("jdbc:sqlite::memory:");
    handle = Jdbi.open(connection);
  }

  @AfterEach
  void closeDatabase() throws SQLException {
    handle.close();
    connection.close();
  }
}

package io.checkpoints.adapter.jdbc.testing;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.ports.ClientId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the shared SQL store tests need to know of one database adapter: how to open and join its
 * store, how a caller opens a connection and a write transaction, and how {@code ps_kv} values read
 * back in plain SQL. Each adapter's tests implement it once. Implementations must be stateless.
 */
public interface SqlStores {

  /**
   * @param file the database file (its directory exists)
   * @param insertOnlyTables tables declared insert-only in the options
   * @return a store owning its connection
   */
  JdbcBackedStore open(Path file, String... insertOnlyTables);

  /**
   * @param file the database file (its directory exists)
   * @param clientIdIfAbsent the client id a fresh database gets
   * @return a store owning its connection
   */
  JdbcBackedStore open(Path file, ClientId clientIdIfAbsent);

  /**
   * @param file the database file (its directory exists)
   * @return a caller's connection, in auto-commit mode, with the adapter's settings
   * @throws SQLException if it cannot be opened
   */
  Connection connect(Path file) throws SQLException;

  /**
   * @param connection the caller's connection
   * @param insertOnlyTables tables declared insert-only in the options
   * @return a store joined to the caller's connection
   */
  JdbcBackedStore join(Connection connection, String... insertOnlyTables);

  /**
   * Begins a caller's write transaction, as the adapter's documentation asks callers to.
   *
   * @param connection the caller's connection, in auto-commit mode
   * @throws SQLException if it fails
   */
  void begin(Connection connection) throws SQLException;

  /**
   * Commits what {@link #begin} began and returns the connection to auto-commit mode.
   *
   * @param connection the caller's connection
   * @throws SQLException if it fails
   */
  void commit(Connection connection) throws SQLException;

  /**
   * @param connection a connection to the database
   * @param key a {@code ps_kv} key
   * @return the value, as {@link #integer} or {@link #text} show it, or {@code absent}
   * @throws SQLException if it cannot be read
   */
  String stored(Connection connection, String key) throws SQLException;

  /**
   * @param value an integer
   * @return how {@link #stored} shows that integer
   */
  String integer(long value);

  /**
   * @param value a text
   * @return how {@link #stored} shows that text
   */
  String text(String value);
}

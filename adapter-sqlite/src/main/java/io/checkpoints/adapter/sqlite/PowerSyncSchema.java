package io.checkpoints.adapter.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The schema of a PowerSync database at version 14, as the reference core's {@code powersync_init}
 * leaves a new file, plus this library's per-user sequence table. Stateless and thread-safe.
 *
 * <p>The statements are this library's own, written so that {@code sqlite_master} ends up with
 * the reference's texts exactly: SQLite stores a table's text from its name on, so
 * {@code IF NOT EXISTS} does not show, and the odd line break in {@code ps_buckets} is where the
 * reference's migrations added columns to it. Every statement skips what exists, which is how a
 * file of this library's earlier version (only {@code ps_kv}, {@code ps_crud}, {@code ps_tx} and
 * the per-user sequence table) is completed. The conformance module compares the result with the
 * reference's own file.
 */
final class PowerSyncSchema {

  /** The tables a file of this library's earlier version holds, and nothing else. */
  static final List<String> EARLIER_LIBRARY_TABLES =
      List.of(SqliteDialect.USER_SEQUENCE_TABLE, "ps_crud", "ps_kv", "ps_tx");

  private static final List<String> TABLES = List.of(
      "CREATE TABLE IF NOT EXISTS ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT)",
      "CREATE TABLE IF NOT EXISTS ps_untyped(type TEXT NOT NULL, id TEXT NOT NULL, data TEXT,"
          + " PRIMARY KEY (type, id))",
      "CREATE TABLE IF NOT EXISTS ps_crud (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT, tx_id INTEGER)",
      "CREATE TABLE IF NOT EXISTS ps_tx(id INTEGER PRIMARY KEY NOT NULL, current_tx INTEGER, next_tx INTEGER)",
      "INSERT OR IGNORE INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 1)",
      "CREATE TABLE IF NOT EXISTS ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB)",
      "CREATE TABLE IF NOT EXISTS ps_buckets(\n"
          + "  id INTEGER PRIMARY KEY,\n"
          + "  name TEXT NOT NULL,\n"
          + "  last_applied_op INTEGER NOT NULL DEFAULT 0,\n"
          + "  last_op INTEGER NOT NULL DEFAULT 0,\n"
          + "  add_checksum INTEGER NOT NULL DEFAULT 0,\n"
          + "  op_checksum INTEGER NOT NULL DEFAULT 0,\n"
          + "  pending_delete INTEGER NOT NULL DEFAULT 0\n"
          + ", count_at_last INTEGER NOT NULL DEFAULT 0, count_since_last INTEGER NOT NULL DEFAULT 0,"
          + " downloaded_size INTEGER NOT NULL DEFAULT 0) STRICT",
      "CREATE UNIQUE INDEX IF NOT EXISTS ps_buckets_name ON ps_buckets (name)",
      "CREATE TABLE IF NOT EXISTS ps_oplog(\n"
          + "  bucket INTEGER NOT NULL,\n"
          + "  op_id INTEGER NOT NULL,\n"
          + "  row_type TEXT,\n"
          + "  row_id TEXT,\n"
          + "  key TEXT,\n"
          + "  data TEXT,\n"
          + "  hash INTEGER NOT NULL) STRICT",
      "CREATE INDEX IF NOT EXISTS ps_oplog_row ON ps_oplog (row_type, row_id)",
      "CREATE INDEX IF NOT EXISTS ps_oplog_opid ON ps_oplog (bucket, op_id)",
      "CREATE INDEX IF NOT EXISTS ps_oplog_key ON ps_oplog (bucket, key)",
      "CREATE TABLE IF NOT EXISTS ps_updated_rows(\n"
          + "  row_type TEXT,\n"
          + "  row_id TEXT,\n"
          + "  PRIMARY KEY(row_type, row_id)) STRICT, WITHOUT ROWID",
      "CREATE TABLE IF NOT EXISTS ps_stream_subscriptions (\n"
          + "  id INTEGER NOT NULL PRIMARY KEY,\n"
          + "  stream_name TEXT NOT NULL,\n"
          + "  active INTEGER NOT NULL DEFAULT FALSE,\n"
          + "  is_default INTEGER NOT NULL DEFAULT FALSE,\n"
          + "  local_priority INTEGER,\n"
          + "  local_params TEXT NOT NULL DEFAULT 'null',\n"
          + "  ttl INTEGER,\n"
          + "  expires_at INTEGER,\n"
          + "  last_synced_at INTEGER,\n"
          + "  UNIQUE (stream_name, local_params)\n"
          + ") STRICT",
      "CREATE TABLE IF NOT EXISTS ps_sync_state (\n"
          + "  priority INTEGER NOT NULL PRIMARY KEY,\n"
          + "  last_synced_at INTEGER NOT NULL\n"
          + ") STRICT");

  /** Ours: the name must not start with {@code ps_data_}, which the reference's clear empties. */
  static final String USER_SEQUENCE = "CREATE TABLE IF NOT EXISTS " + SqliteDialect.USER_SEQUENCE_TABLE + "(\n"
      + "  user_key TEXT PRIMARY KEY NOT NULL,\n"
      + "  last_request_id INTEGER NOT NULL\n"
      + ") STRICT";

  /**
   * Rows 1 to 13 of {@code ps_migration} as the reference records them: each version with the
   * statements that migrate down from it (a fact of the format: the reference runs them to go
   * down, so they must be its own). Row 14 is {@link SqliteMigrations#downMigration14Json()}.
   */
  private static final String MIGRATION_ROWS_1_TO_13 = resource("powersync-migrations-1-13.json");

  private PowerSyncSchema() {}

  /**
   * Creates, inside the caller's transaction, whatever of the version 14 schema and the per-user
   * sequence table is missing, and records versions 1 to 14 in a new {@code ps_migration}.
   */
  static void create(Handle handle) {
    boolean recorded = SqliteMigrations.schemaVersion(handle).isPresent();
    for (String statement : TABLES) {
      handle.execute(statement);
    }
    if (!recorded) {
      // SQLite parses the JSON, so the adapter needs no JSON library.
      handle.createUpdate("INSERT INTO ps_migration(id, down_migrations)"
              + " SELECT json_extract(value, '$.id'), json_extract(value, '$.down_migrations')"
              + " FROM json_each(:rows) ORDER BY key")
          .bind("rows", MIGRATION_ROWS_1_TO_13)
          .execute();
      handle.createUpdate("INSERT INTO ps_migration(id, down_migrations) VALUES (:id, :down)")
          .bind("id", SqliteMigrations.CURRENT_VERSION)
          .bind("down", SqliteMigrations.downMigration14Json())
          .execute();
    }
    handle.execute(USER_SEQUENCE);
  }

  static String resource(String name) {
    try (InputStream in = PowerSyncSchema.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

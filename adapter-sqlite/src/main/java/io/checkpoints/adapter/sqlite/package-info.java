/**
 * The storage ports on a SQLite database in the PowerSync format, through Jdbi and sqlite-jdbc:
 * {@link io.checkpoints.adapter.sqlite.SqliteCheckpointStore} (on its own connection or joined to
 * the caller's), {@link io.checkpoints.adapter.sqlite.SqliteMigrations} (schema 13 &lt;-&gt; 14),
 * and {@link io.checkpoints.adapter.sqlite.SqliteControlFunctions} (the checkpoint commands as SQL
 * functions).
 *
 * <p>Depends on the ports and the shared {@code adapter-jdbc} only, never on the domain. Design
 * notes (the arming trigger, joined transactions, error codes) are in {@code docs/sqlite.md}.
 */
package io.checkpoints.adapter.sqlite;

/**
 * The Jdbi code the SQL storage adapters share: {@link io.checkpoints.adapter.jdbc.JdbcCheckpointStore}
 * implements the storage ports on one JDBC connection behind the small
 * {@link io.checkpoints.adapter.jdbc.SqlDialect} interface, which each database adapter (SQLite,
 * H2) implements.
 *
 * <p>Depends on the ports and Jdbi only, never on the domain.
 */
package io.checkpoints.adapter.jdbc;

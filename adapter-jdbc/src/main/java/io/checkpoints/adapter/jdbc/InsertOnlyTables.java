package io.checkpoints.adapter.jdbc;

import io.checkpoints.ports.CheckpointArgumentException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The declared insert-only table names of a SQL store (PowerSync table names whose writes entering
 * {@code ps_crud} by SQL do not arm the gate), checked the same way by every SQL store's options
 * and by {@link JdbcCheckpointStore.Builder#insertOnlyTables}. Stateless and thread-safe.
 */
public final class InsertOnlyTables {

  private InsertOnlyTables() {}

  /**
   * @param declared the names declared so far
   * @param more names to add
   * @return an immutable set of both, in declaration order
   * @throws CheckpointArgumentException if a name is null or blank; nothing is added then
   * @throws NullPointerException if {@code more} is null
   */
  public static Set<String> union(Set<String> declared, Collection<String> more) {
    Set<String> all = new LinkedHashSet<>(declared);
    for (String table : Objects.requireNonNull(more, "tables")) {
      if (table == null || table.isBlank()) {
        throw new CheckpointArgumentException("insert-only table names must be non-blank, got "
            + (table == null ? "null" : "\"" + table + "\""));
      }
      all.add(table);
    }
    return java.util.Collections.unmodifiableSet(all);
  }
}

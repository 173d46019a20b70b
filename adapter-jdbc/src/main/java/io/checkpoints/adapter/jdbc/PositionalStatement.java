package io.checkpoints.adapter.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A dialect's statement with Jdbi named parameters ({@code :key}) turned into JDBC positional ones
 * ({@code ?}) once, so that {@link DirectStatements} can run it without Jdbi's per-statement
 * work: for the {@code ps_kv} reads and writes that every SQL-function call runs. Text in single
 * or double quotes is left alone; {@code ::} (a cast) is not a parameter.
 *
 * <p>Immutable and thread-safe.
 */
final class PositionalStatement {

  private final String sql;
  private final List<String> names;

  private PositionalStatement(String sql, List<String> names) {
    this.sql = sql;
    this.names = List.copyOf(names);
  }

  /**
   * @param named a statement with named parameters
   * @return the statement with each named parameter replaced by {@code ?}, in order
   */
  static PositionalStatement of(String named) {
    StringBuilder sql = new StringBuilder(named.length());
    List<String> names = new ArrayList<>();
    char quote = 0;
    for (int i = 0; i < named.length(); i++) {
      char c = named.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ':' && i + 1 < named.length() && named.charAt(i + 1) == ':') {
        sql.append("::");
        i++;
        continue;
      } else if (c == ':' && i + 1 < named.length()
          && Character.isJavaIdentifierStart(named.charAt(i + 1))) {
        int end = i + 1;
        while (end < named.length() && Character.isJavaIdentifierPart(named.charAt(end))) {
          end++;
        }
        names.add(named.substring(i + 1, end));
        sql.append('?');
        i = end - 1;
        continue;
      }
      sql.append(c);
    }
    return new PositionalStatement(sql.toString(), names);
  }

  /** @return the statement with positional parameters */
  String sql() {
    return sql;
  }

  /**
   * @param values the value of each named parameter
   * @return the positional parameters, in order
   */
  Object[] parameters(Function<String, Object> values) {
    Object[] parameters = new Object[names.size()];
    for (int i = 0; i < parameters.length; i++) {
      parameters[i] = values.apply(names.get(i));
    }
    return parameters;
  }
}

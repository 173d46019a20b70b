package io.checkpoints.adapter.sqlite;

import io.checkpoints.adapter.jdbc.testing.SqlAdapterArchitectureContract;
import java.util.List;

/** The dependency rules of architecture.md for the SQLite adapter and adapter-jdbc. */
class SqliteAdapterArchitectureTest extends SqlAdapterArchitectureContract {

  @Override
  protected String adapterPackage() {
    return "io.checkpoints.adapter.sqlite";
  }

  @Override
  protected List<String> driverPackages() {
    return List.of("org.sqlite..");
  }

  @Override
  protected List<String> otherSqlAdapterPackages() {
    return List.of("io.checkpoints.adapter.h2..", "org.h2..");
  }

  @Override
  protected Class<?> classUsingTheDomain() {
    return SqliteLoadTest.class;
  }
}

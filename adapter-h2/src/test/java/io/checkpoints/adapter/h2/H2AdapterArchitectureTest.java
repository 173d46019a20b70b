package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.testing.SqlAdapterArchitectureContract;
import java.util.List;

/** The dependency rules of architecture.md for the H2 adapter (with its internal package) and adapter-jdbc. */
class H2AdapterArchitectureTest extends SqlAdapterArchitectureContract {

  @Override
  protected String adapterPackage() {
    return "io.checkpoints.adapter.h2";
  }

  @Override
  protected List<String> driverPackages() {
    return List.of("org.h2..");
  }

  @Override
  protected List<String> otherSqlAdapterPackages() {
    return List.of("io.checkpoints.adapter.sqlite..", "org.sqlite..");
  }

  @Override
  protected List<String> subpackages() {
    return List.of("io.checkpoints.adapter.h2.internal");
  }

  @Override
  protected Class<?> classUsingTheDomain() {
    return H2ReplayCorpusTest.class;
  }
}

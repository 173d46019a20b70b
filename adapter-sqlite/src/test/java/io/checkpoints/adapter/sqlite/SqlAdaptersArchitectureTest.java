package io.checkpoints.adapter.sqlite;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of architecture.md for the SQL adapters, on their compiled classes: they use
 * the ports, Jdbi and the JDBC driver, never the domain or another adapter (the SQLite adapter may
 * use the shared JDBC one). The Maven Enforcer checks the same on the declared dependencies.
 */
class SqlAdaptersArchitectureTest {

  private static final JavaClasses PRODUCTION = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.checkpoints.adapter.jdbc", "io.checkpoints.adapter.sqlite");

  static final ArchRule NO_DOMAIN = noClasses()
      .that().resideInAnyPackage("io.checkpoints.adapter.jdbc..", "io.checkpoints.adapter.sqlite..")
      .should().dependOnClassesThat().resideInAnyPackage("io.checkpoints.domain..",
          "io.checkpoints.testkit..", "io.checkpoints.cli..")
      .because("adapters depend on ports, never on the domain (architecture.md)");

  static final ArchRule NO_OTHER_ADAPTER = noClasses()
      .that().resideInAnyPackage("io.checkpoints.adapter.jdbc..", "io.checkpoints.adapter.sqlite..")
      .should().dependOnClassesThat().resideInAnyPackage("io.checkpoints.adapter.inmemory..",
          "io.checkpoints.adapter.http..", "io.checkpoints.adapter.h2..")
      .because("adapters do not depend on each other, except the SQL ones on adapter-jdbc");

  static final ArchRule JDBC_IS_SHARED_NOT_SQLITE = noClasses()
      .that().resideInAPackage("io.checkpoints.adapter.jdbc..")
      .should().dependOnClassesThat().resideInAnyPackage("io.checkpoints.adapter.sqlite..", "org.sqlite..")
      .because("adapter-jdbc is shared by the SQLite and H2 adapters");

  @Test
  @DisplayName("the SQL adapters use neither the domain nor another adapter; adapter-jdbc knows no SQLite")
  void rulesHold() {
    assertThat(PRODUCTION.containPackage("io.checkpoints.adapter.jdbc")).isTrue();
    assertThat(PRODUCTION.containPackage("io.checkpoints.adapter.sqlite")).isTrue();
    NO_DOMAIN.check(PRODUCTION);
    NO_OTHER_ADAPTER.check(PRODUCTION);
    JDBC_IS_SHARED_NOT_SQLITE.check(PRODUCTION);
  }

  @Test
  @DisplayName("the rules fail on a violation: this test class uses the domain")
  void rulesFailOnAViolation() {
    JavaClasses violator = new ClassFileImporter().importClasses(SqliteConcurrencyTest.class);
    assertThat(NO_DOMAIN.evaluate(violator).hasViolation()).isTrue();
  }
}

package io.checkpoints.adapter.h2;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of architecture.md for the H2 adapter, on its compiled classes: it uses the
 * ports, the shared adapter-jdbc, Jdbi and H2, never the domain or another adapter; and
 * adapter-jdbc knows nothing of H2. The Maven Enforcer checks the same on the declared
 * dependencies.
 */
class H2AdapterArchitectureTest {

  private static final JavaClasses PRODUCTION = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.checkpoints.adapter.jdbc", "io.checkpoints.adapter.h2");

  static final ArchRule NO_DOMAIN = noClasses()
      .that().resideInAnyPackage("io.checkpoints.adapter.h2..")
      .should().dependOnClassesThat().resideInAnyPackage("io.checkpoints.domain..",
          "io.checkpoints.testkit..", "io.checkpoints.cli..")
      .because("adapters depend on ports, never on the domain (architecture.md)");

  static final ArchRule NO_OTHER_ADAPTER = noClasses()
      .that().resideInAnyPackage("io.checkpoints.adapter.h2..")
      .should().dependOnClassesThat().resideInAnyPackage("io.checkpoints.adapter.inmemory..",
          "io.checkpoints.adapter.http..", "io.checkpoints.adapter.sqlite..", "org.sqlite..")
      .because("adapters do not depend on each other, except the SQL ones on adapter-jdbc");

  static final ArchRule JDBC_IS_SHARED_NOT_H2 = noClasses()
      .that().resideInAPackage("io.checkpoints.adapter.jdbc..")
      .should().dependOnClassesThat().resideInAnyPackage("io.checkpoints.adapter.h2..", "org.h2..")
      .because("adapter-jdbc is shared by the SQLite and H2 adapters");

  @Test
  @DisplayName("the H2 adapter uses neither the domain nor another adapter; adapter-jdbc knows no H2")
  void rulesHold() {
    assertThat(PRODUCTION.containPackage("io.checkpoints.adapter.jdbc")).isTrue();
    assertThat(PRODUCTION.containPackage("io.checkpoints.adapter.h2")).isTrue();
    assertThat(PRODUCTION.containPackage("io.checkpoints.adapter.h2.internal")).isTrue();
    NO_DOMAIN.check(PRODUCTION);
    NO_OTHER_ADAPTER.check(PRODUCTION);
    JDBC_IS_SHARED_NOT_H2.check(PRODUCTION);
  }

  @Test
  @DisplayName("the rules fail on a violation: this test class's neighbour uses the domain")
  void rulesFailOnAViolation() {
    JavaClasses violator = new ClassFileImporter().importClasses(H2ClearTest.class);
    assertThat(NO_DOMAIN.evaluate(violator).hasViolation()).isTrue();
  }
}

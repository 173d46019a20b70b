package io.checkpoints.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The dependency rules of architecture.md, checked on the compiled classes. */
class ArchitectureTest {

  private static final JavaClasses PRODUCTION = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.checkpoints");

  static final ArchRule DOMAIN_USES_PORTS_AND_JDK_ONLY = classes()
      .that().resideInAPackage("io.checkpoints.domain..")
      .should().onlyDependOnClassesThat()
      .resideInAnyPackage("io.checkpoints.domain..", "io.checkpoints.ports..", "java..")
      .because("the domain depends on ports and the JDK only (architecture.md)");

  static final ArchRule PORTS_USE_JDK_ONLY = classes()
      .that().resideInAPackage("io.checkpoints.ports..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("io.checkpoints.ports..", "java..")
      .because("ports depend on the JDK only (architecture.md)");

  static final ArchRule ADAPTERS_NEVER_USE_THE_DOMAIN = noClasses()
      .that().resideInAPackage("io.checkpoints.adapter..")
      .should().dependOnClassesThat().resideInAPackage("io.checkpoints.domain..")
      .because("adapters depend on ports, never on the domain (architecture.md)");

  @Test
  void domainDependsOnPortsAndTheJdkOnly() {
    assertThat(PRODUCTION.containPackage("io.checkpoints.domain")).isTrue();
    DOMAIN_USES_PORTS_AND_JDK_ONLY.check(PRODUCTION);
  }

  @Test
  void portsDependOnTheJdkOnly() {
    assertThat(PRODUCTION.containPackage("io.checkpoints.ports")).isTrue();
    PORTS_USE_JDK_ONLY.check(PRODUCTION);
  }

  @Test
  void adaptersNeverDependOnTheDomain() {
    assertThat(PRODUCTION.containPackage("io.checkpoints.adapter.inmemory")).isTrue();
    ADAPTERS_NEVER_USE_THE_DOMAIN.check(PRODUCTION);
  }

  @Test
  void theRulesReallyFailOnAViolation() {
    JavaClasses violators = new ClassFileImporter().importClasses(
        io.checkpoints.domain.violation.DomainClassUsingALibrary.class,
        io.checkpoints.adapter.violation.AdapterUsingTheDomain.class);
    assertThat(DOMAIN_USES_PORTS_AND_JDK_ONLY.evaluate(violators).hasViolation()).isTrue();
    assertThat(ADAPTERS_NEVER_USE_THE_DOMAIN.evaluate(violators).hasViolation()).isTrue();
  }
}

package io.checkpoints.adapter.jdbc.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of architecture.md for one SQL adapter, on its compiled classes: the adapter
 * and the shared adapter-jdbc use the ports, Jdbi and the adapter's driver, never the domain or
 * another adapter (the SQL adapters may use adapter-jdbc); adapter-jdbc knows nothing of the
 * adapter or its driver. The Maven Enforcer checks the same on the declared dependencies.
 */
public abstract class SqlAdapterArchitectureContract {

  private static final String JDBC = "io.checkpoints.adapter.jdbc";

  /** @return the adapter's package, for example {@code io.checkpoints.adapter.sqlite} */
  protected abstract String adapterPackage();

  /** @return the adapter's driver's packages, for example {@code org.sqlite..} */
  protected abstract List<String> driverPackages();

  /** @return the packages, with {@code ..}, of the other SQL adapter and its driver */
  protected abstract List<String> otherSqlAdapterPackages();

  /** @return packages of the adapter's production code that must be found, beyond its own */
  protected List<String> subpackages() {
    return List.of();
  }

  /** @return a test class of the adapter that uses the domain, to show that the rules can fail */
  protected abstract Class<?> classUsingTheDomain();

  private ArchRule noDomain() {
    return noClasses()
        .that().resideInAnyPackage(JDBC + "..", adapterPackage() + "..")
        .should().dependOnClassesThat().resideInAnyPackage("io.checkpoints.domain..",
            "io.checkpoints.testkit..", "io.checkpoints.cli..")
        .because("adapters depend on ports, never on the domain (architecture.md)");
  }

  private ArchRule noOtherAdapter() {
    List<String> banned = new ArrayList<>(List.of("io.checkpoints.adapter.inmemory..", "io.checkpoints.adapter.http.."));
    banned.addAll(otherSqlAdapterPackages());
    return noClasses()
        .that().resideInAnyPackage(JDBC + "..", adapterPackage() + "..")
        .should().dependOnClassesThat().resideInAnyPackage(banned.toArray(String[]::new))
        .because("adapters do not depend on each other, except the SQL ones on adapter-jdbc");
  }

  private ArchRule jdbcIsShared() {
    List<String> banned = new ArrayList<>(List.of(adapterPackage() + ".."));
    banned.addAll(driverPackages());
    return noClasses()
        .that().resideInAPackage(JDBC + "..")
        .should().dependOnClassesThat().resideInAnyPackage(banned.toArray(String[]::new))
        .because("adapter-jdbc is shared by the SQLite and H2 adapters");
  }

  @Test
  @DisplayName("the adapter and adapter-jdbc use neither the domain nor another adapter; adapter-jdbc knows neither the adapter nor its driver")
  void rulesHold() {
    JavaClasses production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        // This class's own test-jar (the shared SQL store tests, which use the domain) is no production code.
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages(JDBC, adapterPackage());
    assertThat(production.containPackage(JDBC)).isTrue();
    assertThat(production.containPackage(adapterPackage())).isTrue();
    for (String subpackage : subpackages()) {
      assertThat(production.containPackage(subpackage)).as(subpackage).isTrue();
    }
    noDomain().check(production);
    noOtherAdapter().check(production);
    jdbcIsShared().check(production);
  }

  @Test
  @DisplayName("the rules fail on a violation: a test class of the adapter uses the domain")
  void rulesFailOnAViolation() {
    JavaClasses violator = new ClassFileImporter().importClasses(classUsingTheDomain());
    assertThat(noDomain().evaluate(violator).hasViolation()).isTrue();
  }
}

package io.checkpoints.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
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

  /** The three facets: built from ports and the client's shared state, never from what composes them. */
  static final ArchRule FACETS_DO_NOT_REACH_BACK = noClasses()
      .that().haveSimpleNameStartingWith("CheckpointSequence")
      .or().haveSimpleNameStartingWith("WriteCheckpointBarrier")
      .or().haveSimpleNameStartingWith("SyncStatus")
      .should().dependOnClassesThat().haveSimpleNameStartingWith("SyncClient")
      .orShould().dependOnClassesThat().haveSimpleNameStartingWith("SyncConnection")
      .orShould().dependOnClassesThat().haveSimpleNameStartingWith("CheckpointHandle")
      .orShould().dependOnClassesThat().haveSimpleNameStartingWith("UploadBatch")
      .orShould().dependOnClassesThat().haveSimpleNameStartingWith("ControlCommands")
      .because("the facets work on their own over the ports; the client composes them (architecture.md)");

  /**
   * The top-level domain classes that take part in a dependency cycle; a nested class counts as
   * its top-level class.
   */
  static Set<String> classesInCycles(JavaClasses classes, String packageName) {
    Map<String, Set<String>> edges = new HashMap<>();
    for (JavaClass javaClass : classes) {
      if (!javaClass.getPackageName().equals(packageName)) {
        continue;
      }
      String from = topLevel(javaClass).getSimpleName();
      Set<String> targets = edges.computeIfAbsent(from, name -> new HashSet<>());
      for (Dependency dependency : javaClass.getDirectDependenciesFromSelf()) {
        JavaClass target = dependency.getTargetClass();
        if (target.getPackageName().equals(packageName) && !topLevel(target).getSimpleName().equals(from)) {
          targets.add(topLevel(target).getSimpleName());
        }
      }
    }
    Set<String> inCycles = new TreeSet<>();
    for (String start : edges.keySet()) {
      if (reaches(edges, start, start, new HashSet<>())) {
        inCycles.add(start);
      }
    }
    return inCycles;
  }

  private static boolean reaches(Map<String, Set<String>> edges, String from, String goal, Set<String> seen) {
    for (String next : edges.getOrDefault(from, Set.of())) {
      if (next.equals(goal)) {
        return true;
      }
      if (seen.add(next) && reaches(edges, next, goal, seen)) {
        return true;
      }
    }
    return false;
  }

  private static JavaClass topLevel(JavaClass javaClass) {
    JavaClass current = javaClass;
    while (current.getEnclosingClass().isPresent()) {
      current = current.getEnclosingClass().get();
    }
    return current;
  }

  /** The main source files of {@code directory} longer than {@code maxLines}, with their lengths. */
  static List<String> filesLongerThan(Path directory, int maxLines) throws IOException {
    List<String> tooLong = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        long lines = Files.readAllLines(file).size();
        if (lines > maxLines) {
          tooLong.add(file.getFileName() + " (" + lines + " lines)");
        }
      }
    }
    return tooLong;
  }

  @Test
  void noDomainClassesFormACycle() {
    assertThat(classesInCycles(PRODUCTION, "io.checkpoints.domain")).isEmpty();
  }

  @Test
  void theCycleCheckFindsACycle() {
    JavaClasses cycle = new ClassFileImporter().importClasses(
        io.checkpoints.domain.violation.CycleOne.class, io.checkpoints.domain.violation.CycleTwo.class);
    assertThat(classesInCycles(cycle, "io.checkpoints.domain.violation")).containsExactly("CycleOne", "CycleTwo");
  }

  @Test
  void theFacetsNeverReachBackForWhatComposesThem() {
    FACETS_DO_NOT_REACH_BACK.check(PRODUCTION);
    JavaClasses violator = new ClassFileImporter().importClasses(
        io.checkpoints.domain.violation.SyncStatusReachingBack.class);
    assertThat(FACETS_DO_NOT_REACH_BACK.evaluate(violator).hasViolation()).isTrue();
  }

  @Test
  void noDomainClassIsOver400Lines() throws IOException {
    Path sources = Path.of("src/main/java/io/checkpoints/domain");
    assertThat(sources).isDirectory();
    assertThat(filesLongerThan(sources, 400)).isEmpty();
  }

  @Test
  void theLengthCheckFindsALongFile() throws IOException {
    Path sources = Path.of("src/main/java/io/checkpoints/domain");
    assertThat(filesLongerThan(sources, 100)).isNotEmpty();
  }

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

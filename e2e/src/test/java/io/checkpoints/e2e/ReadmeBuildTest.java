package io.checkpoints.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A new user's first build: a separate Maven project made of the README's dependency snippet, the
 * SLF4J binding and the class of docs/getting-started.md, built by a nested Maven against a
 * temporary local repository that holds this build's jars, and its test run.
 *
 * <p>This build's modules are "installed" by copying the jars on this test's class path (or,
 * when a module was only compiled, a jar made from its classes) and their {@code pom.xml} files
 * into the temporary repository, the layout {@code mvn install} writes, so the test works in a
 * clean clone where nothing is installed and never touches the user's own repository. Everything
 * else (plugins, Jdbi, sqlite-jdbc, JUnit) the nested build copies from the user's local
 * repository, declared as a {@code file:} mirror: nothing is downloaded, and it holds all of it
 * because this build used the same artifacts.
 */
class ReadmeBuildTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String GROUP = "io.checkpoints";

  @TempDir
  Path work;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES) // a loaded machine; about 20 s on a quiet one
  void aSeparateProjectBuildsFromTheReadmeSnippetAndRunsGettingStarted() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    String version = childText(parent.getDocumentElement(), "version");
    String readme = Files.readString(ROOT.resolve("README.md"));
    String gettingStarted = Files.readString(ROOT.resolve("docs/getting-started.md"));

    String dependencies = onlyBlock(readme, "xml", "checkpoints-bom");
    assertThat(dependencies).as("the README's BOM version is this build's")
        .contains("<version>" + version + "</version>");
    String binding = onlyBlock(gettingStarted, "xml", "slf4j");
    String gettingStartedClass = onlyBlock(gettingStarted, "java", "class GettingStarted");

    Path repository = work.resolve("repository");
    install(repository, version);
    Path project = work.resolve("app");
    writeProject(project, parent, dependencies, binding, gettingStartedClass);
    Path settings = Files.writeString(work.resolve("settings.xml"), """
        <settings>
          <localRepository>%s</localRepository>
          <mirrors>
            <mirror>
              <id>this-machines-repository</id>
              <mirrorOf>*</mirrorOf>
              <url>%s</url>
            </mirror>
          </mirrors>
        </settings>
        """.formatted(repository, userRepository().toUri()));

    Path log = work.resolve("build.log");
    Process maven = new ProcessBuilder(maven(), "-B", "-ntp", "-Dstyle.color=never",
            "-s", settings.toString(), "-Dmaven.repo.local=" + repository, "test")
        .directory(project.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    maven.getOutputStream().close();
    boolean ended = maven.waitFor(4, TimeUnit.MINUTES);
    if (!ended) {
      maven.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(ended).as("the nested build ends; its output:%n%s", output).isTrue();
    assertThat(maven.exitValue()).as("the nested build succeeds; its output:%n%s", output).isZero();
    assertThat(output)
        .contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0")
        .contains("getting started printed: client id: ");
    assertThat(output.lines().filter(line -> line.contains("SLF4J")))
        .as("the binding keeps SLF4J quiet").isEmpty();
    assertThat(repository.resolve("io/checkpoints/checkpoints-adapter-sqlite/" + version))
        .as("this build's jars, not another copy").isDirectory();
  }

  @Test
  void theClassPathHoldsTheModulesTheSnippetNeeds() {
    // This build's modules are found through this test's class path (e2e's test dependencies).
    assertThat(modulesOnTheClassPath()).extracting(ModuleJar::module)
        .contains("ports", "domain", "adapter-jdbc", "adapter-sqlite");
  }

  /** The parent and BOM poms, and each module of this build on the class path: pom and jar. */
  private void install(Path repository, String version) throws Exception {
    installPom(repository, "checkpoints-parent", version, ROOT.resolve("pom.xml"));
    installPom(repository, "checkpoints-bom", version, ROOT.resolve("bom/pom.xml"));
    for (ModuleJar module : modulesOnTheClassPath()) {
      String artifactId = "checkpoints-" + module.module();
      Path directory = installPom(repository, artifactId, version,
          ROOT.resolve(module.module()).resolve("pom.xml"));
      Path jar = directory.resolve(artifactId + "-" + version + ".jar");
      if (Files.isDirectory(module.location())) {
        jar(module.location(), jar); // only compiled (mvn test): no jar yet
      } else {
        Files.copy(module.location(), jar, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static Path installPom(Path repository, String artifactId, String version, Path pom)
      throws IOException {
    Path directory = repository.resolve(GROUP.replace('.', '/')).resolve(artifactId).resolve(version);
    Files.createDirectories(directory);
    Files.copy(pom, directory.resolve(artifactId + "-" + version + ".pom"));
    return directory;
  }

  /** A class path entry of this build: {@code <root>/<module>/target/classes} or its jar. */
  private record ModuleJar(String module, Path location) {
  }

  private static List<ModuleJar> modulesOnTheClassPath() {
    List<ModuleJar> modules = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path location = Path.of(entry).toAbsolutePath().normalize();
      if (!location.startsWith(ROOT) || location.getNameCount() != ROOT.getNameCount() + 3) {
        continue;
      }
      Path relative = ROOT.relativize(location);
      String module = relative.getName(0).toString();
      boolean built = relative.getName(1).toString().equals("target")
          && (relative.getName(2).toString().equals("classes")
              || relative.getName(2).toString().endsWith(".jar"));
      if (built && !module.equals("e2e")) {
        modules.add(new ModuleJar(module, location));
      }
    }
    return modules;
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> paths = Files.walk(classes)) {
      for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
        Files.copy(path, out);
        out.closeEntry();
      }
    }
  }

  private static void writeProject(Path project, Document parent, String readmeDependencies,
      String binding, String gettingStartedClass) throws IOException {
    Element build = parent.getDocumentElement();
    String junitVersion = property(build, "junit.version");
    String extraDependencies = binding.strip().indent(2) + """
          <dependency>
            <groupId>org.junit.jupiter</groupId>
            <artifactId>junit-jupiter</artifactId>
            <version>%s</version>
            <scope>test</scope>
          </dependency>
        """.formatted(junitVersion);
    int end = readmeDependencies.lastIndexOf("</dependencies>");
    String dependencies = readmeDependencies.substring(0, end) + extraDependencies
        + readmeDependencies.substring(end);
    String pom = """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId>
          <artifactId>first-app</artifactId>
          <version>1.0</version>
          <properties>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
            <maven.compiler.release>17</maven.compiler.release>
          </properties>
        %s
          <build>
            <plugins>
        %s%s%s    </plugins>
          </build>
        </project>
        """.formatted(dependencies.indent(2),
            plugin(build, "maven-resources-plugin"), plugin(build, "maven-compiler-plugin"),
            plugin(build, "maven-surefire-plugin"));
    Files.createDirectories(project.resolve("src/main/java"));
    Files.createDirectories(project.resolve("src/test/java"));
    Files.writeString(project.resolve("pom.xml"), pom);
    Files.writeString(project.resolve("src/main/java/GettingStarted.java"), gettingStartedClass);
    Files.writeString(project.resolve("src/test/java/GettingStartedTest.java"), """
        import static org.junit.jupiter.api.Assertions.assertTrue;

        import java.io.ByteArrayOutputStream;
        import java.io.PrintStream;
        import java.nio.charset.StandardCharsets;
        import java.nio.file.Files;
        import java.nio.file.Path;
        import org.junit.jupiter.api.Test;
        import org.junit.jupiter.api.io.TempDir;

        class GettingStartedTest {
          @Test
          void runs(@TempDir Path directory) throws Exception {
            Path database = directory.resolve("app.db");
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream console = System.out;
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
              GettingStarted.main(new String[] {database.toString()});
            } finally {
              System.setOut(console);
            }
            String text = printed.toString(StandardCharsets.UTF_8);
            assertTrue(text.startsWith("client id: "), text);
            assertTrue(Files.size(database) > 0, "the database file is written");
            console.println("getting started printed: " + text.replace('\\n', ' '));
          }
        }
        """);
  }

  /** A pinned plugin of this build's parent, so the nested build uses what is already here. */
  private static String plugin(Element project, String artifactId) {
    NodeList plugins = project.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (artifactId.equals(childText(plugin, "artifactId")) && childText(plugin, "version") != null) {
        return """
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>%s</artifactId>
                    <version>%s</version>
                  </plugin>
            """.formatted(artifactId, childText(plugin, "version"));
      }
    }
    throw new AssertionError("the parent pom pins no version of " + artifactId);
  }

  private static String property(Element project, String name) {
    NodeList properties = project.getElementsByTagName(name);
    assertThat(properties.getLength()).as("property %s in the parent pom", name).isEqualTo(1);
    return properties.item(0).getTextContent().strip();
  }

  private static String childText(Element element, String name) {
    for (var node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element child && child.getTagName().equals(name)) {
        return child.getTextContent().strip();
      }
    }
    return null;
  }

  private static Document parse(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
  }

  /** The one fenced block of {@code language} in {@code document} that contains {@code marker}. */
  private static String onlyBlock(String document, String language, String marker) {
    Matcher blocks = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
        .matcher(document);
    List<String> found = new ArrayList<>();
    while (blocks.find()) {
      if (blocks.group(1).contains(marker)) {
        found.add(blocks.group(1));
      }
    }
    assertThat(found).as("```%s blocks containing %s", language, marker).hasSize(1);
    return found.get(0);
  }

  /** Where this build took its plugins and libraries from (surefire passes -D properties on). */
  private static Path userRepository() {
    String configured = System.getProperty("maven.repo.local");
    return configured != null && !configured.isBlank()
        ? Path.of(configured).toAbsolutePath()
        : Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  private static String maven() {
    String home = System.getProperty("maven.home");
    if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
      return Path.of(home, "bin", "mvn").toString();
    }
    return "mvn";
  }
}

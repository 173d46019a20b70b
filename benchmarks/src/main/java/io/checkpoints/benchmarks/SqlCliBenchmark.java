package io.checkpoints.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 8: {@code checkpoints sql} in a fresh JVM, wall time of the whole process. Ours:
 * {@code java -jar cli/target/checkpoints-cli.jar sql DB --iteration requests --file FILE}.
 * Reference: {@link ReferenceSql} in a fresh JVM ({@code java -cp benchmarks/target/benchmarks.jar}),
 * the reference core loaded into sqlite-jdbc's bundled SQLite. FILE holds one seed and
 * {@code statements} {@code next_checkpoint_request_id} calls; each runs in its own
 * {@code BEGIN IMMEDIATE ... COMMIT} and prints one line. Both start from a fresh copy of the same
 * PowerSync database (made by the reference core); each run's output is checked (one line per
 * statement, the last id 42 + statements). Run it from the repository root after building both
 * jars, or set {@code -Dcheckpoints.cli.jar} and {@code -Dcheckpoints.benchmarks.jar}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SqlCliBenchmark {

  static final String SEED = "SELECT powersync_control('seed_checkpoint_request_id', 42)";

  @Param({"ours", "reference"})
  public String side;

  @Param({"10000"})
  public int statements;

  private Path directory;
  private Path template;
  private Path script;
  private Path database;
  private Path output;
  private List<String> command;
  private int run;

  @Setup(Level.Trial)
  public void setUp() throws SQLException, IOException {
    directory = Databases.newDirectory();
    template = directory.resolve("template.db");
    try (Connection reference = Databases.reference(template)) {
      Databases.execute(reference, "PRAGMA journal_mode=DELETE"); // one file to copy
    }
    script = directory.resolve("statements.sql");
    List<String> lines = new ArrayList<>();
    lines.add(SEED);
    for (int i = 0; i < statements; i++) {
      lines.add(SqlFunctionBenchmark.NEXT);
    }
    Files.write(script, lines);
    ReferenceSql.library(); // fetched now, not while a child runs
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    command = side.equals("ours")
        ? List.of(java, "-jar", jar("checkpoints.cli.jar", "cli/target/checkpoints-cli.jar"),
            "sql", "DB", "--iteration", "requests", "--file", script.toString())
        : List.of(java, "-cp", jar("checkpoints.benchmarks.jar", "benchmarks/target/benchmarks.jar"),
            ReferenceSql.class.getName(), "DB", script.toString());
  }

  private static String jar(String property, String fallback) {
    Path jar = Path.of(System.getProperty(property, fallback)).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it, run from the repository root,"
          + " or set -D" + property);
    }
    return jar.toString();
  }

  @Setup(Level.Invocation)
  public void copyDatabase() throws IOException {
    run++;
    database = directory.resolve("run-" + run + ".db");
    output = directory.resolve("run-" + run + ".out");
    Files.copy(template, database, StandardCopyOption.REPLACE_EXISTING);
  }

  @Benchmark
  public int process() throws IOException, InterruptedException {
    List<String> arguments = new ArrayList<>(command);
    arguments.set(arguments.indexOf("DB"), database.toString());
    Process child = new ProcessBuilder(arguments)
        .redirectOutput(output.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    int status = child.waitFor();
    if (status != 0) {
      throw new IllegalStateException(side + " exited with " + status + ": " + arguments);
    }
    return status;
  }

  /** Checks the run's output, then deletes its files. */
  @TearDown(Level.Invocation)
  public void check() throws IOException {
    List<String> lines = Files.readAllLines(output);
    String expected = "{\"ok\": " + (42 + statements) + "}";
    if (lines.size() != statements + 2 || !lines.get(1).equals("{\"ok\": 42}")
        || !lines.get(lines.size() - 1).equals(expected)) {
      throw new IllegalStateException(side + " printed " + lines.size() + " lines ending with "
          + (lines.isEmpty() ? "nothing" : lines.get(lines.size() - 1)) + ", expected "
          + (statements + 2) + " ending with " + expected);
    }
    for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
      Files.deleteIfExists(Path.of(database + suffix));
    }
    Files.delete(output);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      Databases.delete(directory);
    } catch (UncheckedIOException e) {
      // A temporary directory left behind is no reason to fail the run.
    }
  }
}

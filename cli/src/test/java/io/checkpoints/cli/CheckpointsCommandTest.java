package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckpointsCommandTest {

  @TempDir
  Path folder;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int executeWithInput(String stdin, String... args) {
    CommandLine commandLine = CheckpointsCommand.commandLine(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private int execute(String... args) {
    return executeWithInput("", args);
  }

  private Path script(String... lines) throws IOException {
    Path file = folder.resolve("script.jsonl");
    Files.write(file, List.of(lines));
    return file;
  }

  private List<String> outLines() {
    return out.toString().lines().toList();
  }

  @Nested
  class Replay {

    @Test
    void printsOneLinePerEventAndExitsZero() throws IOException {
      Path file = script(
          "{\"start\": {\"checkpoint_mode\": \"requests\"}}",
          "{\"seed\": 41}",
          "{\"next\": null}",
          "{\"state\": null}");
      int status = execute("replay", "--store", "memory", "--client-id", "test-client",
          file.toString());
      assertThat(status).isZero();
      assertThat(outLines()).containsExactly(
          "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"test-client\", \"checkpoint_request_id\": \"1\"}}}",
          "{\"ok\": 41}",
          "{\"ok\": 42}",
          "{\"ok\": {\"target\": null, \"last_requested\": 42, \"last_seen\": null, \"last_applied\": null, \"upload_queue\": 0}}");
      assertThat(err.toString()).isEmpty();
    }

    @Test
    void theClientIdAppearsInTheInitialRequestAndDefaultsToTestClient() throws IOException {
      Path file = script("{\"start\": {\"checkpoint_mode\": \"requests\"}}");
      assertThat(execute("replay", "--client-id", "5f0c-uuid", file.toString())).isZero();
      assertThat(execute("replay", file.toString())).isZero();
      assertThat(outLines()).containsExactly(
          "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"5f0c-uuid\", \"checkpoint_request_id\": \"1\"}}}",
          "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"test-client\", \"checkpoint_request_id\": \"1\"}}}");
    }

    @Test
    void eventErrorsStillExitZero() throws IOException {
      Path file = script("{\"seed\": 5}", "{\"target\": -1}", "{\"line\": {\"checkpoint_complete\": {}}}");
      assertThat(execute("replay", file.toString())).isZero();
      assertThat(outLines()).hasSize(3).allMatch(line -> line.startsWith("{\"error\": {\"kind\": "));
      assertThat(err.toString()).isEmpty();
    }

    @Test
    void aMalformedScriptRunsToTheEndAndExitsOne() throws IOException {
      Path file = script("{\"current\": null}", "not json", "{\"bogus\": 1}", "{\"target\": 3}");
      assertThat(execute("replay", file.toString())).isEqualTo(1);
      assertThat(outLines()).hasSize(4);
      assertThat(outLines().get(1)).startsWith("{\"error\": {\"kind\": \"script\", \"line\": 2, ");
      assertThat(outLines().get(3)).isEqualTo("{\"ok\": null}");
      assertThat(err.toString().lines()).singleElement().asString()
          .startsWith("checkpoints replay: the script is malformed: 2 lines are not an event"
              + " (first: line 2: invalid JSON: ");
    }

    @Test
    void readsStandardInputForADash() {
      assertThat(executeWithInput("{\"current\": null}\n{\"target\": 2}\n{\"target\": null}\n", "replay", "-"))
          .isZero();
      assertThat(outLines()).containsExactly("{\"ok\": null}", "{\"ok\": null}", "{\"ok\": 2}");
    }

    @Test
    void anEmptyScriptPrintsNothing() throws IOException {
      assertThat(execute("replay", script().toString())).isZero();
      assertThat(out.toString()).isEmpty();
    }

    @Test
    void invalidUtf8IsAReadErrorOnOneLine() throws IOException {
      Path file = folder.resolve("bad.jsonl");
      Files.write(file, new byte[] {'{', '"', 'c', 'u', 'r', 'r', 'e', 'n', 't', '"', ':', ' ',
          'n', 'u', 'l', 'l', '}', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
      assertThat(execute("replay", file.toString())).isEqualTo(1);
      assertThat(err.toString().lines()).singleElement().asString()
          .startsWith("checkpoints replay: cannot read the script " + file + ": MalformedInputException");
      assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void verboseAddsStackTracesOfEventErrors() throws IOException {
      Path file = script("{\"seed\": 5}");
      assertThat(execute("replay", "--verbose", file.toString())).isZero();
      assertThat(err.toString()).contains("CheckpointStateException").contains("\tat ");
      assertThat(outLines()).singleElement().asString().contains("\"kind\": \"state\"");
    }

    @Test
    void withoutVerboseThereIsNeverAStackTrace() throws IOException {
      Path file = script("{\"seed\": 5}", "x");
      execute("replay", file.toString());
      assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void helpDescribesTheCommand() {
      assertThat(execute("replay", "--help")).isZero();
      assertThat(out.toString())
          .contains("Usage: checkpoints replay")
          .contains("--store=STORE")
          .contains("memory, sqlite, h2")
          .contains("--db=FILE")
          .contains("--client-id=ID")
          .contains("--verbose")
          .contains("SCRIPT")
          .contains("Exit status:");
    }
  }

  @Nested
  class UsageErrors {

    @Test
    void aMissingScriptArgument() {
      assertThat(execute("replay")).isEqualTo(2);
      assertThat(err.toString().lines()).singleElement().asString()
          .isEqualTo("checkpoints replay: Missing required parameter: 'SCRIPT' (see 'checkpoints"
              + " replay --help')");
      assertThat(out.toString()).isEmpty();
    }

    @Test
    void aScriptThatDoesNotExist() {
      Path missing = folder.resolve("missing.jsonl");
      assertThat(execute("replay", missing.toString())).isEqualTo(2);
      assertThat(err.toString().lines()).singleElement().asString()
          .isEqualTo("checkpoints replay: no such script file: " + missing
              + " (see 'checkpoints replay --help')");
    }

    @Test
    void aDirectoryIsNotAScript() {
      assertThat(execute("replay", folder.toString())).isEqualTo(2);
      assertThat(err.toString()).contains("no such script file");
    }

    @Test
    void anUnknownStore() throws IOException {
      assertThat(execute("replay", "--store", "postgres", script().toString())).isEqualTo(2);
      assertThat(err.toString().lines()).singleElement().asString()
          .contains("--store")
          .contains("memory, sqlite, h2")
          .endsWith("(see 'checkpoints replay --help')");
    }

    @Test
    void aBlankClientId() throws IOException {
      assertThat(execute("replay", "--client-id", " ", script().toString())).isEqualTo(2);
      assertThat(err.toString()).startsWith("checkpoints replay: invalid --client-id: client id must be"
          + " a non-blank string");
    }

    @Test
    void anUnknownOption() throws IOException {
      assertThat(execute("replay", "--frobnicate", script().toString())).isEqualTo(2);
      assertThat(err.toString().lines()).singleElement().asString()
          .contains("Unknown option: '--frobnicate'");
    }

    @Test
    void anUnknownCommand() {
      assertThat(execute("replicate")).isEqualTo(2);
      assertThat(err.toString().lines()).singleElement().asString()
          .startsWith("checkpoints: Unmatched argument at index 0: 'replicate'");
    }

    @Test
    void noCommandAtAll() {
      assertThat(execute()).isEqualTo(2);
      assertThat(err.toString().lines()).singleElement().asString()
          .isEqualTo("checkpoints: missing command (see 'checkpoints --help')");
    }
  }

  @Nested
  class TopLevel {

    @Test
    void helpListsTheReplayCommand() {
      assertThat(execute("--help")).isZero();
      assertThat(out.toString()).contains("Usage: checkpoints").contains("replay")
          .contains("Exit status:");
    }

    @Test
    void everyCommandTakesVerboseForTheInternalErrorHandler() {
      CommandLine commandLine = CheckpointsCommand.commandLine(InputStream.nullInputStream());
      assertThat(commandLine.getSubcommands()).hasSize(8);
      commandLine.getSubcommands().forEach((name, command) -> {
        // The handler prints a stack trace only for a command with the VerboseMixin, and
        // otherwise advises --verbose: every command must therefore have it.
        assertThat(command.getCommandSpec().mixins().values())
            .as(name).anyMatch(mixin -> mixin.userObject() instanceof VerboseMixin);
        assertThat(command.getCommandSpec().findOption("--verbose")).as(name).isNotNull();
        assertThat(command.getCommandSpec().findOption("-v")).as(name).isNotNull();
      });
    }

    @Test
    void aRunOfOneNamedCommandBuildsOnlyItAndHelpsAsTheFullCommandLine() {
      for (String name : CheckpointsCommand.SUBCOMMANDS.keySet()) {
        CommandLine full = CheckpointsCommand.commandLine(InputStream.nullInputStream());
        CommandLine only = CheckpointsCommand.commandLine(InputStream.nullInputStream(), name);
        assertThat(only.getSubcommands().keySet()).as(name).containsExactly(name);
        assertThat(only.getSubcommands().get(name).getUsageMessage()).as(name)
            .isEqualTo(full.getSubcommands().get(name).getUsageMessage());
      }
      // A name that is not exact keeps every command, for the "did you mean" suggestions.
      assertThat(CheckpointsCommand.commandLine(InputStream.nullInputStream(), "sqll")
          .getSubcommands()).hasSize(8);
    }

    @Test
    void anUnexpectedFailureIsOneLineOrAStackTraceWithVerbose() throws Exception {
      for (boolean verbose : new boolean[] {false, true}) {
        StringWriter captured = new StringWriter();
        CommandLine root = CheckpointsCommand.commandLine(InputStream.nullInputStream());
        root.setErr(new PrintWriter(captured, true));
        CommandLine.ParseResult parsed = verbose
            ? root.parseArgs("inspect", "-v", "app.db") : root.parseArgs("inspect", "app.db");
        int status = root.getExecutionExceptionHandler().handleExecutionException(
            new IllegalStateException("boom"), root.getSubcommands().get("inspect"), parsed);
        assertThat(status).isEqualTo(1);
        assertThat(captured.toString()).startsWith(
            "checkpoints inspect: internal error: java.lang.IllegalStateException: boom");
        if (verbose) {
          assertThat(captured.toString()).contains("\tat ").doesNotContain("run with --verbose");
        } else {
          assertThat(captured.toString()).contains("(run with --verbose for the stack trace)")
              .doesNotContain("\tat ");
        }
      }
    }

    @Test
    void versionComesFromTheBuild() {
      assertThat(execute("--version")).isZero();
      assertThat(out.toString().strip()).matches("checkpoints \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }
  }
}

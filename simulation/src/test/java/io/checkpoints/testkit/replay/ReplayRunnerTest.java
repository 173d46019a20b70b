package io.checkpoints.testkit.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.ControlPayload;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointStore;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayRunnerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final InMemoryCheckpointStore store = InMemoryCheckpointStore.create(ClientId.of("test-client"));
  private final SyncClient client = SyncClient.create(store);
  private final List<String> output = new ArrayList<>();

  private ReplayResult run(String... lines) {
    return ReplayRunner.create().run(store, client, List.of(lines), output::add);
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Nested
  class Output {

    @Test
    void printsTheFormatsExampleTextForText() {
      // replay-format.md's example, whose output the reference printed with exactly this spacing.
      ReplayResult result = run(
          "{\"start\": {\"checkpoint_mode\": \"requests\"}}",
          "{\"seed\": 41}",
          "{\"next\": null}",
          "{\"local_write\": \"a\"}",
          "{\"target\": 42}",
          "{\"upload_done\": null}",
          "{\"line\": {\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": \"42\", \"buckets\": []}}}",
          "{\"line\": {\"checkpoint_complete\": {\"last_op_id\": \"1\"}}}",
          "{\"state\": null}");
      assertThat(output).containsExactly(
          "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"test-client\", \"checkpoint_request_id\": \"1\"}}}",
          "{\"ok\": 41}",
          "{\"ok\": 42}",
          "{\"ok\": null}",
          "{\"ok\": 9223372036854775807}",
          "{\"ok\": null}",
          "{\"ok\": []}",
          "{\"ok\": [{\"applied\": 42}]}",
          "{\"ok\": {\"target\": 42, \"last_requested\": 42, \"last_seen\": 42, \"last_applied\": 42, \"upload_queue\": 0}}");
      assertThat(result).isEqualTo(new ReplayResult(9, 0, List.of()));
      assertThat(result.wellFormed()).isTrue();
    }

    @Test
    void legacyStartPrintsAnEmptyObject() {
      run("{\"start\": null}");
      assertThat(output).containsExactly("{\"ok\": {}}");
    }

    @Test
    void theInitialRequestIdIsADecimalString() throws Exception {
      run("{\"target\": 9223372036854775806}", "{\"start\": {\"checkpoint_mode\": \"requests\"}}");
      assertThat(json(output.get(1)).at("/ok/checkpoint_request/checkpoint_request_id").isTextual())
          .isTrue();
      assertThat(output.get(1)).contains("\"checkpoint_request_id\": \"9223372036854775806\"");
    }

    @Test
    void everyOutcomeKindIsPrinted() {
      run("{\"start\": null}",
          "{\"local_write\": \"a\"}",
          "{\"line\": {\"checkpoint\": {\"last_op_id\": \"1\", \"buckets\": []}}}",
          "{\"line\": {\"partial_checkpoint_complete\": {\"last_op_id\": \"1\", \"priority\": 0}}}",
          "{\"line\": {\"checkpoint_complete\": {\"last_op_id\": \"1\"}}}",
          "{\"upload_done\": null}",
          "{\"target\": 0}",
          "{\"completed_upload\": null}",
          "{\"line\": {\"token_expires_in\": 0}}");
      assertThat(output).containsExactly(
          "{\"ok\": {}}",
          "{\"ok\": null}",
          "{\"ok\": []}",
          "{\"ok\": [{\"partial_applied\": 0}]}",
          "{\"ok\": [{\"held\": true}]}",
          "{\"ok\": null}",
          "{\"ok\": 9223372036854775807}",
          "{\"ok\": [{\"applied\": null}]}",
          "{\"ok\": [{\"closed\": true}]}");
    }

    @Test
    void statusIsPrintedWithAllThreeFields() {
      run("{\"status\": null}", "{\"start\": null}", "{\"status\": null}");
      assertThat(output).containsExactly(
          "{\"ok\": {\"connected\": false, \"connecting\": false, \"last_applied_checkpoint_request_id\": null}}",
          "{\"ok\": {}}",
          "{\"ok\": {\"connected\": false, \"connecting\": true, \"last_applied_checkpoint_request_id\": null}}");
    }

    @Test
    void runsAScriptFromAReader() {
      ReplayResult result = ReplayRunner.create().run(
          store, new StringReader("{\"current\": null}\n{\"target\": 3}\n"), output::add);
      assertThat(output).containsExactly("{\"ok\": null}", "{\"ok\": null}");
      assertThat(result.events()).isEqualTo(2);
    }

    @Test
    void blankLinesAreSkippedButCountForLineNumbers() {
      ReplayResult result = run("", "{\"current\": null}", "   ", "\t", "nonsense", "");
      assertThat(output).hasSize(2);
      assertThat(result.events()).isEqualTo(2);
      assertThat(result.scriptErrors()).extracting(ReplayResult.ScriptError::lineNumber)
          .containsExactly(5);
    }
  }

  @Nested
  class Errors {

    @Test
    void eachExceptionTypeHasItsKind() {
      assertThat(ReplayRunner.kindOf(new CheckpointArgumentException("a"))).isEqualTo("argument");
      assertThat(ReplayRunner.kindOf(new CheckpointStateException(
          CheckpointStateException.Reason.OVERFLOW, "s"))).isEqualTo("state");
      assertThat(ReplayRunner.kindOf(new SyncProtocolException("p"))).isEqualTo("protocol");
      assertThat(ReplayRunner.kindOf(new CheckpointStorageException("s"))).isEqualTo("storage");
      assertThat(ReplayRunner.kindOf(new IllegalStateException("bug"))).isEqualTo("storage");
    }

    @Test
    void errorLinesCarryTheKindAndTheMessage() throws Exception {
      ReplayResult result = run("{\"seed\": 5}", "{\"target\": -1}");
      assertThat(json(output.get(0))).isEqualTo(json(
          "{\"error\": {\"kind\": \"state\", \"message\": \"No iteration is active\"}}"));
      assertThat(json(output.get(1)).at("/error/kind").asText()).isEqualTo("argument");
      assertThat(json(output.get(1)).at("/error/message").asText()).contains("non-negative");
      assertThat(result.errorLines()).isEqualTo(2);
      assertThat(result.wellFormed()).as("error lines do not make a script malformed").isTrue();
    }

    @Test
    void aLineThatDoesNotDecodeIsAProtocolErrorAndEndsTheIteration() throws Exception {
      run("{\"start\": null}",
          "{\"line\": {\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": 3, \"buckets\": []}}}",
          "{\"status\": null}",
          "{\"line\": {\"token_expires_in\": 5}}");
      JsonNode error = json(output.get(1)).get("error");
      assertThat(error.get("kind").asText()).isEqualTo("protocol");
      assertThat(error.get("message").asText()).startsWith("Sync protocol error: ")
          .contains("write_checkpoint");
      assertThat(output.get(2)).isEqualTo(
          "{\"ok\": {\"connected\": false, \"connecting\": false, \"last_applied_checkpoint_request_id\": null}}");
      assertThat(json(output.get(3)).at("/error/kind").asText()).isEqualTo("state");
      assertThat(client.isIterationActive()).isFalse();
    }

    @Test
    void anUndecodableLineFailsWaitersAsASyncFailure() {
      run("{\"start\": null}");
      var waiter = client.status().awaitApplied(io.checkpoints.ports.CheckpointRequestId.of(1));
      run("{\"line\": {\"checkpoint\": {\"last_op_id\": \"1\", \"buckets\": 7}}}");
      assertThat(waiter).isCompletedExceptionally();
      assertThatThrownBy(waiter::join)
          .hasCauseInstanceOf(io.checkpoints.ports.CheckpointWaitException.SyncFailed.class)
          .hasRootCauseInstanceOf(SyncProtocolException.class);
    }

    @Test
    void withoutAnIterationAnUndecodableLineIsAStateError() throws Exception {
      run("{\"line\": 42}");
      assertThat(json(output.get(0)).at("/error/kind").asText()).isEqualTo("state");
    }

    @Test
    void aFailingStoreGivesStorageErrorsAndTheObserverSeesThem() throws Exception {
      FailingStore failing = new FailingStore(store);
      SyncClient failingClient = SyncClient.create(failing);
      List<RuntimeException> observed = new ArrayList<>();
      ReplayRunner runner = ReplayRunner.create().withErrorObserver(observed::add);
      failing.failure = new CheckpointStorageException("disk full");
      runner.run(failing, failingClient, List.of("{\"target\": 3}"), output::add);
      failing.failure = new IllegalStateException("a bug");
      runner.run(failing, failingClient, List.of("{\"state\": null}"), output::add);
      failing.failure = null;
      runner.run(failing, failingClient, List.of("{\"target\": null}"), output::add);
      assertThat(json(output.get(0))).isEqualTo(
          json("{\"error\": {\"kind\": \"storage\", \"message\": \"disk full\"}}"));
      assertThat(json(output.get(1))).isEqualTo(
          json("{\"error\": {\"kind\": \"storage\", \"message\": \"a bug\"}}"));
      assertThat(output.get(2)).as("the failed write changed nothing").isEqualTo("{\"ok\": null}");
      assertThat(observed).extracting(Throwable::getMessage).containsExactly("disk full", "a bug");
    }

    @Test
    void anExceptionWithoutMessageIsNamedByItsClass() throws Exception {
      FailingStore failing = new FailingStore(store);
      failing.failure = new UnsupportedOperationException();
      ReplayRunner.create().run(failing, SyncClient.create(failing), List.of("{\"current\": 1}"),
          output::add);
      assertThat(json(output.get(0)).at("/error/message").asText())
          .isEqualTo("java.lang.UnsupportedOperationException");
    }

    @Test
    void aReaderThatFailsIsReportedUnchecked() {
      java.io.Reader broken = new java.io.Reader() {
        @Override
        public int read(char[] buffer, int offset, int length) throws java.io.IOException {
          throw new java.io.IOException("gone");
        }

        @Override
        public void close() {}
      };
      assertThatThrownBy(() -> ReplayRunner.create().run(store, broken, output::add))
          .isInstanceOf(UncheckedIOException.class);
    }
  }

  @Nested
  class MalformedScripts {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "not json",
        "{\"seed\": 5",
        "{\"seed\": 5} {\"seed\": 6}",
        "{\"seed\": 5, \"seed\": 6}",
        "[{\"seed\": 5}]",
        "5",
        "null",
        "\"seed\"",
        "{}",
        "{\"seed\": 5, \"next\": null}",
        "{\"unknown\": null}",
        "{\"Seed\": 5}",
        "{\"local_write\": 5}",
        "{\"local_write\": null}",
        "{\"local_write\": [\"a\"]}",
        "{\"clear\": \"0\"}",
        "{\"clear\": null}",
        "{\"clear\": 2.0}",
        "{\"clear\": 4294967296}",
    })
    void aLineThatIsNotAnEventIsAScriptErrorAndTheRunGoesOn(String line) throws Exception {
      ReplayResult result = run("{\"current\": null}", line, "{\"target\": 5}");
      assertThat(output).hasSize(3);
      assertThat(output.get(0)).isEqualTo("{\"ok\": null}");
      JsonNode error = json(output.get(1)).get("error");
      assertThat(error.get("kind").asText()).isEqualTo("script");
      assertThat(error.get("line").asInt()).isEqualTo(2);
      assertThat(error.get("message").asText()).isNotBlank();
      assertThat(output.get(2)).isEqualTo("{\"ok\": null}");
      assertThat(result.wellFormed()).isFalse();
      assertThat(result.scriptErrors()).hasSize(1);
      assertThat(result.scriptErrors().get(0).lineNumber()).isEqualTo(2);
      assertThat(result.errorLines()).isEqualTo(1);
    }

    @Test
    void theMessageSaysWhatIsWrong() throws Exception {
      run("{\"unknown\": null}", "{\"local_write\": 5}", "{\"a\": 1, \"b\": 2}", "x");
      assertThat(json(output.get(0)).at("/error/message").asText()).contains("unknown event \"unknown\"");
      assertThat(json(output.get(1)).at("/error/message").asText())
          .contains("local_write expects the row id as a string, got number 5");
      assertThat(json(output.get(2)).at("/error/message").asText())
          .contains("exactly one key, got an object with 2 keys");
      assertThat(json(output.get(3)).at("/error/message").asText()).startsWith("invalid JSON: ");
    }

    @Test
    void deeplyNestedScriptLinesAreScriptErrors() throws Exception {
      run("{\"line\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}");
      assertThat(json(output.get(0)).at("/error/kind").asText()).isEqualTo("script");
    }
  }

  @Nested
  class Payloads {

    @Test
    void integersInThe64BitRangeAreIntegers() throws Exception {
      assertThat(ReplayRunner.controlPayload(json("5"))).isEqualTo(ControlPayload.of(5));
      assertThat(ReplayRunner.controlPayload(json("-0"))).isEqualTo(ControlPayload.of(0));
      assertThat(ReplayRunner.controlPayload(json("9223372036854775807")))
          .isEqualTo(ControlPayload.of(Long.MAX_VALUE));
      assertThat(ReplayRunner.controlPayload(json("-9223372036854775808")))
          .isEqualTo(ControlPayload.of(Long.MIN_VALUE));
    }

    @Test
    void otherNumbersAreReals() throws Exception {
      assertThat(ReplayRunner.controlPayload(json("5.0")))
          .isEqualTo(new ControlPayload.RealValue(5.0));
      assertThat(ReplayRunner.controlPayload(json("1e3")))
          .isEqualTo(new ControlPayload.RealValue(1000.0));
      assertThat(ReplayRunner.controlPayload(json("9223372036854775808")))
          .isInstanceOf(ControlPayload.RealValue.class);
      assertThat(ReplayRunner.controlPayload(json("-9223372036854775809")))
          .isInstanceOf(ControlPayload.RealValue.class);
    }

    @Test
    void stringsAreTextAndNullIsNull() throws Exception {
      assertThat(ReplayRunner.controlPayload(json("\" 7\""))).isEqualTo(ControlPayload.of(" 7"));
      assertThat(ReplayRunner.controlPayload(json("null"))).isEqualTo(ControlPayload.NULL);
    }

    @Test
    void booleansArraysAndObjectsAreBlobsOfTheirJson() throws Exception {
      assertThat(ReplayRunner.controlPayload(json("true")))
          .isEqualTo(new ControlPayload.BlobValue("true".getBytes(StandardCharsets.UTF_8)));
      assertThat(ReplayRunner.controlPayload(json("[1, 2]")))
          .isEqualTo(new ControlPayload.BlobValue("[1, 2]".getBytes(StandardCharsets.UTF_8)));
      assertThat(ReplayRunner.controlPayload(json("{\"a\": 1}")))
          .isInstanceOf(ControlPayload.BlobValue.class);
    }

    @Test
    void blobsAreArgumentErrorsAfterThePrecondition() throws Exception {
      run("{\"seed\": true}", "{\"target\": [7]}", "{\"start\": null}", "{\"seed\": {\"id\": 7}}",
          "{\"target\": false}");
      assertThat(output).extracting(line -> kind(line))
          .containsExactly("state", "argument", "ok", "argument", "argument");
    }

    private String kind(String line) {
      try {
        JsonNode value = json(line);
        return value.has("ok") ? "ok" : value.at("/error/kind").asText();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  @Nested
  class StartModes {

    @Test
    void nullAndMissingModesAreLegacy() throws Exception {
      assertThat(ReplayRunner.mode(json("null"))).isEqualTo(CheckpointMode.LEGACY);
      assertThat(ReplayRunner.mode(json("{}"))).isEqualTo(CheckpointMode.LEGACY);
      assertThat(ReplayRunner.mode(json("{\"other\": 1}"))).isEqualTo(CheckpointMode.LEGACY);
      assertThat(ReplayRunner.mode(json("{\"checkpoint_mode\": \"legacy\"}")))
          .isEqualTo(CheckpointMode.LEGACY);
      assertThat(ReplayRunner.mode(json("{\"checkpoint_mode\": \"requests\", \"x\": [1]}")))
          .isEqualTo(CheckpointMode.REQUESTS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"checkpoint_mode\": null}", "{\"checkpoint_mode\": \"Legacy\"}",
        "{\"checkpoint_mode\": 1}", "{\"checkpoint_mode\": true}", "{\"checkpoint_mode\": [\"requests\"]}",
        "\"requests\"", "1", "[]", "true"})
    void otherModesAreArgumentErrors(String payload) {
      assertThatThrownBy(() -> ReplayRunner.mode(json(payload)))
          .isInstanceOf(CheckpointArgumentException.class);
    }

    @Test
    void aBadModeLeavesTheRunningIterationUntouched() {
      run("{\"start\": {\"checkpoint_mode\": \"requests\"}}",
          "{\"seed\": 8}",
          "{\"line\": {\"checkpoint\": {\"last_op_id\": \"1\", \"buckets\": []}}}",
          "{\"start\": {\"checkpoint_mode\": null}}",
          "{\"next\": null}",
          "{\"line\": {\"checkpoint_complete\": {\"last_op_id\": \"1\"}}}");
      assertThat(output.get(3)).contains("\"kind\": \"argument\"");
      assertThat(output.subList(4, 6)).containsExactly("{\"ok\": 9}", "{\"ok\": [{\"applied\": null}]}");
      assertThat(client.iterationMode()).contains(CheckpointMode.REQUESTS);
    }
  }

  /** A store that fails on demand before running any work; otherwise it is the wrapped store. */
  private static final class FailingStore extends ForwardingCheckpointStore {
    RuntimeException failure;

    FailingStore(CheckpointStore delegate) {
      super(delegate);
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
      if (failure != null) {
        throw failure;
      }
      return super.inTransaction(work);
    }
  }
}

package io.checkpoints.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyncLineDecoderTest {

  private final SyncLineDecoder decoder = SyncLineDecoder.create();

  private SyncLine decode(String text) {
    return decoder.decode(text);
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertProtocolError(String text) {
    return assertThatThrownBy(() -> decoder.decode(text))
        .isExactlyInstanceOf(SyncProtocolException.class)
        .hasMessageStartingWith("Sync protocol error: ");
  }

  private static String checkpointWith(String writeCheckpointJson) {
    return "{\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": " + writeCheckpointJson
        + ", \"buckets\": []}}";
  }

  @Nested
  class CheckpointLines {

    @Test
    void decodesACheckpointWithAWriteCheckpoint() {
      assertThat(decode("{\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": \"3\","
          + " \"buckets\": [{\"bucket\": \"a\", \"checksum\": 10, \"priority\": 1}]}}"))
          .isEqualTo(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(3))));
    }

    @Test
    void aNullWriteCheckpointIsEmpty() {
      assertThat(decode(checkpointWith("null")))
          .isEqualTo(new SyncLine.Checkpoint("1", Optional.empty()));
    }

    @Test
    void anOmittedWriteCheckpointIsEmpty() {
      assertThat(decode("{\"checkpoint\": {\"last_op_id\": \"7\", \"buckets\": []}}"))
          .isEqualTo(new SyncLine.Checkpoint("7", Optional.empty()));
    }

    @ParameterizedTest(name = "write_checkpoint \"{0}\" is {1}")
    @CsvSource({
        "0, 0",
        "-3, -3",
        "-0, 0",
        "+3, 3",
        "007, 7",
        "+007, 7",
        "9223372036854775807, 9223372036854775807",
        "-9223372036854775808, -9223372036854775808",
        "00009223372036854775807, 9223372036854775807",
    })
    void acceptsTheDecimalTextForms(String text, long expected) {
      assertThat(decode(checkpointWith("\"" + text + "\"")))
          .isEqualTo(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(expected))));
    }

    @ParameterizedTest(name = "write_checkpoint \"{0}\" is a protocol error")
    @ValueSource(strings = {
        "", " 3", "3 ", "3.0", "1e3", "0x10", "+", "-", "++3", "+-3", "3-", "abc", "١٢", "3\\n",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999999",
    })
    void rejectsOtherText(String text) {
      assertProtocolError(checkpointWith("\"" + text + "\""))
          .hasMessageContaining("checkpoint.write_checkpoint must be a decimal signed 64-bit"
              + " integer string");
    }

    @ParameterizedTest(name = "write_checkpoint {0} is a protocol error")
    @ValueSource(strings = {"3", "0", "-3", "3.0", "1e3", "9223372036854775808", "true", "false",
        "[]", "[\"3\"]", "{}", "{\"value\": \"3\"}"})
    void rejectsNonStrings(String json) {
      assertProtocolError(checkpointWith(json))
          .hasMessageContaining("checkpoint.write_checkpoint must be a decimal string or null");
    }

    @Test
    void aNumericWriteCheckpointNamesTheNumber() {
      assertProtocolError(checkpointWith("3")).hasMessageEndingWith("got number 3");
    }

    @ParameterizedTest(name = "last_op_id \"{0}\" is kept as sent")
    @ValueSource(strings = {"0", "1", "+1", "0001", "-5", "9223372036854775807"})
    void keepsTheLastOpIdAsSent(String lastOpId) {
      assertThat(decode("{\"checkpoint\": {\"last_op_id\": \"" + lastOpId + "\", \"buckets\": []}}"))
          .isEqualTo(new SyncLine.Checkpoint(lastOpId, Optional.empty()));
    }

    @Test
    void aMissingLastOpIdIsAnError() {
      assertProtocolError("{\"checkpoint\": {\"write_checkpoint\": \"3\", \"buckets\": []}}")
          .hasMessage("Sync protocol error: checkpoint.last_op_id is missing; expected a decimal"
              + " string");
    }

    @ParameterizedTest(name = "last_op_id {0} is a protocol error")
    @ValueSource(strings = {"1", "null", "true", "[]", "{}"})
    void aNonStringLastOpIdIsAnError(String json) {
      assertProtocolError("{\"checkpoint\": {\"last_op_id\": " + json + ", \"buckets\": []}}")
          .hasMessageContaining("checkpoint.last_op_id must be a decimal string");
    }

    @ParameterizedTest(name = "last_op_id \"{0}\" is a protocol error")
    @ValueSource(strings = {"", "abc", " 1", "1.0", "9223372036854775808"})
    void aNonDecimalLastOpIdIsAnError(String text) {
      assertProtocolError("{\"checkpoint\": {\"last_op_id\": \"" + text + "\", \"buckets\": []}}")
          .hasMessageContaining("checkpoint.last_op_id must be a decimal signed 64-bit");
    }

    @Test
    void missingBucketsAreAnError() {
      assertProtocolError("{\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": \"3\"}}")
          .hasMessage("Sync protocol error: checkpoint.buckets is missing; expected an array");
    }

    @ParameterizedTest(name = "buckets {0} is a protocol error")
    @ValueSource(strings = {"null", "{}", "\"[]\"", "0"})
    void nonArrayBucketsAreAnError(String json) {
      assertProtocolError("{\"checkpoint\": {\"last_op_id\": \"1\", \"buckets\": " + json + "}}")
          .hasMessageContaining("checkpoint.buckets must be an array");
    }

    @ParameterizedTest(name = "checkpoint value {0} is a protocol error")
    @ValueSource(strings = {"null", "1", "\"x\"", "[]", "true"})
    void aNonObjectPayloadIsAnError(String json) {
      assertProtocolError("{\"checkpoint\": " + json + "}")
          .hasMessageContaining("the value of checkpoint must be a JSON object");
    }

    @Test
    void unknownFieldsAreIgnored() {
      assertThat(decode("{\"checkpoint\": {\"last_op_id\": \"1\", \"buckets\": [],"
          + " \"streams\": [{\"name\": \"x\"}], \"extra\": null}}"))
          .isEqualTo(new SyncLine.Checkpoint("1", Optional.empty()));
    }
  }

  @Nested
  class CheckpointDiffLines {

    private static final String BUCKETS = "\"updated_buckets\": [], \"removed_buckets\": []";

    @Test
    void decodesADiff() {
      assertThat(decode("{\"checkpoint_diff\": {\"last_op_id\": \"2\", \"write_checkpoint\": \"4\", "
          + BUCKETS + "}}"))
          .isEqualTo(new SyncLine.CheckpointDiff("2", Optional.of(WriteCheckpoint.of(4))));
    }

    @Test
    void anOmittedOrNullWriteCheckpointIsEmpty() {
      assertThat(decode("{\"checkpoint_diff\": {\"last_op_id\": \"2\", " + BUCKETS + "}}"))
          .isEqualTo(new SyncLine.CheckpointDiff("2", Optional.empty()));
      assertThat(decode("{\"checkpoint_diff\": {\"last_op_id\": \"2\", \"write_checkpoint\": null, "
          + BUCKETS + "}}"))
          .isEqualTo(new SyncLine.CheckpointDiff("2", Optional.empty()));
    }

    @Test
    void aNumericWriteCheckpointIsAnError() {
      assertProtocolError("{\"checkpoint_diff\": {\"last_op_id\": \"2\", \"write_checkpoint\": 4, "
          + BUCKETS + "}}")
          .hasMessageContaining("checkpoint_diff.write_checkpoint must be a decimal string or null");
    }

    @Test
    void aNonDecimalWriteCheckpointIsAnError() {
      assertProtocolError("{\"checkpoint_diff\": {\"last_op_id\": \"2\", \"write_checkpoint\": \"4.0\", "
          + BUCKETS + "}}")
          .hasMessageContaining("checkpoint_diff.write_checkpoint must be a decimal signed 64-bit");
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"updated_buckets", "removed_buckets"})
    void bothBucketListsAreRequired(String field) {
      String other = field.equals("updated_buckets") ? "removed_buckets" : "updated_buckets";
      assertProtocolError("{\"checkpoint_diff\": {\"last_op_id\": \"2\", \"" + other + "\": []}}")
          .hasMessage("Sync protocol error: checkpoint_diff." + field + " is missing; expected an"
              + " array");
    }

    @Test
    void aMissingLastOpIdIsAnError() {
      assertProtocolError("{\"checkpoint_diff\": {" + BUCKETS + "}}")
          .hasMessageContaining("checkpoint_diff.last_op_id is missing");
    }
  }

  @Nested
  class CompletionLines {

    @Test
    void decodesCheckpointComplete() {
      assertThat(decode("{\"checkpoint_complete\": {\"last_op_id\": \"2\"}}"))
          .isEqualTo(new SyncLine.CheckpointComplete("2"));
    }

    @ParameterizedTest(name = "checkpoint_complete {0} counts as without last_op_id")
    @ValueSource(strings = {"{}", "{\"last_op_id\": 2}", "{\"last_op_id\": null}"})
    void checkpointCompleteIgnoresItsLastOpIdAsTheReferenceDoes(String payload) {
      assertThat(decode("{\"checkpoint_complete\": " + payload + "}"))
          .isEqualTo(new SyncLine.CheckpointComplete(""));
    }

    @ParameterizedTest(name = "checkpoint_complete value {0} is a protocol error")
    @ValueSource(strings = {"null", "\"2\"", "2", "[]"})
    void checkpointCompleteNeedsAnObject(String json) {
      assertProtocolError("{\"checkpoint_complete\": " + json + "}")
          .hasMessageContaining("the value of checkpoint_complete must be a JSON object");
    }

    @ParameterizedTest(name = "priority {0}")
    @ValueSource(ints = {0, 1, 2, 3, 1000, Integer.MAX_VALUE - 1})
    void decodesPartialCheckpointComplete(int priority) {
      assertThat(decode("{\"partial_checkpoint_complete\": {\"last_op_id\": \"1\", \"priority\": "
          + priority + "}}"))
          .isEqualTo(new SyncLine.PartialCheckpointComplete("1", priority));
    }

    @ParameterizedTest(name = "priority {0} is a protocol error")
    @ValueSource(strings = {"-1", "2147483647", "2147483648", "-2147483649", "1.0", "1e0", "\"1\"",
        "null", "true", "[1]", "{}"})
    void rejectsOtherPriorities(String json) {
      assertProtocolError("{\"partial_checkpoint_complete\": {\"last_op_id\": \"1\", \"priority\": "
          + json + "}}")
          .hasMessageContaining("partial_checkpoint_complete.priority must be an integer from 0 to"
              + " 2147483646");
    }

    @Test
    void aMissingPriorityIsAnError() {
      assertProtocolError("{\"partial_checkpoint_complete\": {\"last_op_id\": \"1\"}}")
          .hasMessageContaining("partial_checkpoint_complete.priority is missing");
    }
  }

  @Nested
  class TokenExpiresInLines {

    @ParameterizedTest(name = "token_expires_in {0}")
    @ValueSource(ints = {0, -1, 1, 3600, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void decodesA32BitInteger(int seconds) {
      assertThat(decode("{\"token_expires_in\": " + seconds + "}"))
          .isEqualTo(new SyncLine.TokenExpiresIn(seconds));
    }

    @ParameterizedTest(name = "token_expires_in {0} is a protocol error")
    @ValueSource(strings = {"2147483648", "-2147483649", "1.5", "0.0", "\"5\"", "null", "true", "{}"})
    void rejectsOtherValues(String json) {
      assertProtocolError("{\"token_expires_in\": " + json + "}")
          .hasMessageContaining("the value of token_expires_in must be a 32-bit integer");
    }
  }

  @Nested
  class OtherLines {

    @Test
    void aDataLinePassesThroughUnchecked() {
      assertThat(decode("{\"data\": {\"bucket\": \"b\", \"data\": [{\"op\": \"PUT\", \"data\":"
          + " \"{\\\"a\\\": 1}\"}]}}"))
          .isEqualTo(new SyncLine.Other("data"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"foo\": {}}", "{\"foo\": 123}", "{\"foo\": null}", "{\"\": []}",
        "{\"Checkpoint\": 1}", "{\"checkpoint \": {}}"})
    void anyOtherTypeIsOther(String json) {
      assertThat(decode(json)).isInstanceOf(SyncLine.Other.class);
    }

    @Test
    void otherCarriesTheType() {
      assertThat(decode("{\"keepalive\": 5}")).isEqualTo(new SyncLine.Other("keepalive"));
    }
  }

  @Nested
  class MalformedLines {

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", " ", "\n\t "})
    void anEmptyLineIsAnError(String text) {
      assertProtocolError(text).hasMessageContaining("the line is empty");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"null", "3", "\"checkpoint\"", "true", "[]",
        "[{\"checkpoint_complete\": {}}]"})
    void aNonObjectIsAnError(String json) {
      assertProtocolError(json)
          .hasMessageContaining("a sync line must be a JSON object with exactly one key, got");
    }

    @Test
    void anEmptyObjectIsAnError() {
      assertProtocolError("{}")
          .hasMessage("Sync protocol error: a sync line must have exactly one key, got 0 keys");
    }

    @Test
    void twoKeysAreAnError() {
      assertProtocolError("{\"checkpoint_complete\": {}, \"token_expires_in\": 0}")
          .hasMessage("Sync protocol error: a sync line must have exactly one key, got 2 keys"
              + " [checkpoint_complete, token_expires_in]");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"checkpoint\": {\"last_op_id\": \"1\"",
        "{\"checkpoint\": {\"last_op_id\": \"1\", \"buckets\": [}}",
        "{\"checkpoint_complete\": {\"last_op_id\": \"2\"}",
        "{\"checkpoint_complete\"",
        "{",
        "{'checkpoint_complete': {}}",
        "{checkpoint_complete: {}}",
        "{\"token_expires_in\": 01}",
        "{\"token_expires_in\": NaN}",
        "{\"token_expires_in\": 0,}",
        "{\"a\": \"unterminated}",
        "}{",
    })
    void malformedJsonIsAnError(String text) {
      assertProtocolError(text).hasMessageContaining("malformed JSON");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"token_expires_in\": 0} x",
        "{\"token_expires_in\": 0}{\"token_expires_in\": 1}",
        "{\"token_expires_in\": 0} {}",
    })
    void trailingContentIsAnError(String text) {
      assertProtocolError(text).hasMessageContaining("malformed JSON");
    }

    @Test
    void trailingWhitespaceIsFine() {
      assertThat(decode("  {\"token_expires_in\": 0}\r\n")).isEqualTo(new SyncLine.TokenExpiresIn(0));
    }

    @Test
    void duplicateKeysAreAnError() {
      assertProtocolError("{\"token_expires_in\": 0, \"token_expires_in\": 5}")
          .hasMessageContaining("Duplicate field 'token_expires_in'");
      assertProtocolError("{\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": \"3\","
          + " \"write_checkpoint\": \"4\", \"buckets\": []}}")
          .hasMessageContaining("Duplicate field 'write_checkpoint'");
    }

    @Test
    void nestedGarbageInsideAKnownLineIsAnError() {
      assertProtocolError("{\"checkpoint\": {\"last_op_id\": {\"a\": [1, {\"b\": null}]},"
          + " \"buckets\": []}}")
          .hasMessageContaining("checkpoint.last_op_id must be a decimal string, got an object");
    }

    @Test
    void deepNestingIsATypedErrorNotAStackOverflow() {
      String deep = "{\"data\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}";
      assertProtocolError(deep)
          .hasMessageContaining("the line exceeds a decoder limit")
          .hasMessageContaining("nesting depth");
    }

    @Test
    void deepNestingOfUnclosedArraysIsATypedError() {
      assertProtocolError("[".repeat(1_000_000)).hasMessageContaining("nesting depth");
    }

    @Test
    void nestingWithinTheLimitIsAccepted() {
      int levels = SyncLineDecoder.DEFAULT_MAX_NESTING_DEPTH - 1; // the line object is one level
      String nested = "{\"data\": " + "[".repeat(levels - 1) + "{}" + "]".repeat(levels - 1) + "}";
      assertThat(decode(nested)).isEqualTo(new SyncLine.Other("data"));
    }

    @Test
    void aLineLongerThanTheLimitIsAnError() {
      SyncLineDecoder small = SyncLineDecoder.withLimits(8, 100);
      String line = "{\"data\": \"" + "x".repeat(100) + "\"}";
      assertThatThrownBy(() -> small.decode(line))
          .isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessage("Sync protocol error: the line has 112 characters, more than the limit of 100");
    }

    @Test
    void customNestingLimitApplies() {
      SyncLineDecoder shallow = SyncLineDecoder.withLimits(3, 1000);
      assertThat(shallow.decode("{\"data\": [[]]}")).isEqualTo(new SyncLine.Other("data"));
      assertThatThrownBy(() -> shallow.decode("{\"data\": [[[]]]}"))
          .isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("nesting depth");
    }

    @Test
    void hugeNumbersAreATypedError() {
      assertProtocolError("{\"token_expires_in\": " + "9".repeat(5000) + "}")
          .hasMessageStartingWith("Sync protocol error: the line exceeds a decoder limit");
    }

    @Test
    void errorsKeepTheParserFailureAsCause() {
      assertThatThrownBy(() -> decoder.decode("{"))
          .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
    }

    @Test
    void longValuesAreAbbreviatedInMessages() {
      String big = "1".repeat(500);
      assertThatThrownBy(() -> decoder.decode(checkpointWith("\"" + big + "\"")))
          .hasMessageEndingWith("got string \"" + "1".repeat(40) + "...\"");
    }
  }

  @Nested
  class DecodingTrees {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void decodesAParsedTreeAsTheTextWouldDecode() throws Exception {
      JsonNode line = mapper.readTree(checkpointWith("\"42\""));
      assertThat(decoder.decode(line))
          .isEqualTo(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(42))));
    }

    @Test
    void aNullNodeIsNotAnObject() {
      assertThatThrownBy(() -> decoder.decode(JsonNodeFactory.instance.nullNode()))
          .isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessage("Sync protocol error: a sync line must be a JSON object with exactly one key,"
              + " got null");
    }

    @Test
    void aNumericWriteCheckpointInATreeIsAnError() throws Exception {
      JsonNode line = mapper.readTree(checkpointWith("42"));
      assertThatThrownBy(() -> decoder.decode(line))
          .isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("write_checkpoint must be a decimal string or null, got number 42");
    }

    @Test
    void aDeepTreeIsInspectedWithoutRecursion() {
      ArrayNode root = JsonNodeFactory.instance.arrayNode();
      ArrayNode current = root;
      for (int i = 0; i < 100_000; i++) {
        current = current.addArray();
      }
      ObjectNode line = JsonNodeFactory.instance.objectNode();
      line.set("data", root);
      assertThat(decoder.decode(line)).isEqualTo(new SyncLine.Other("data"));
      ObjectNode checkpoint = JsonNodeFactory.instance.objectNode();
      checkpoint.putObject("checkpoint").set("last_op_id", root);
      assertThatThrownBy(() -> decoder.decode(checkpoint))
          .isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("got an array");
    }

    @Test
    void nullArgumentsAreRejected() {
      assertThatThrownBy(() -> decoder.decode((String) null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> decoder.decode((JsonNode) null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Nested
  class Limits {

    @Test
    void theDefaultDecoderHasTheDocumentedLimits() {
      assertThat(decoder.maxNestingDepth()).isEqualTo(SyncLineDecoder.DEFAULT_MAX_NESTING_DEPTH);
      assertThat(decoder.maxLineLength()).isEqualTo(SyncLineDecoder.DEFAULT_MAX_LINE_LENGTH);
      assertThat(SyncLineDecoder.create()).isSameAs(decoder);
    }

    @ParameterizedTest(name = "depth {0}, length {1}")
    @CsvSource({"1, 100", "0, 100", "-1, 100", "8, 1", "8, 0", "8, -5"})
    void limitsBelowTheMinimumAreRejected(int depth, int length) {
      assertThatThrownBy(() -> SyncLineDecoder.withLimits(depth, length))
          .isExactlyInstanceOf(CheckpointArgumentException.class)
          .hasMessageContaining("must be at least");
    }

    @Test
    void theSmallestLimitsStillDecodeALine() {
      SyncLineDecoder smallest = SyncLineDecoder.withLimits(2, 30);
      assertThat(smallest.decode("{\"checkpoint_complete\": {}}"))
          .isEqualTo(new SyncLine.CheckpointComplete(""));
    }
  }

  @Test
  void oneDecoderServesManyThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<SyncLine>> tasks = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        int n = i;
        tasks.add(() -> decoder.decode(checkpointWith("\"" + n + "\"")));
      }
      List<Future<SyncLine>> results = pool.invokeAll(tasks);
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get())
            .isEqualTo(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(i))));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

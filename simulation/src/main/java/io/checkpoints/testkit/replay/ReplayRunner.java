package io.checkpoints.testkit.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.adapter.http.SyncLineDecoder;
import io.checkpoints.domain.LineOutcome;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ControlPayload;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.BufferedReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs a replay script (see {@code replay-format.md}) against one {@link SyncClient} and the
 * {@link CheckpointStore} it was built on, printing one JSON line per event.
 *
 * <p>The script is JSON Lines: each non-blank line is one event, a JSON object with exactly one
 * key. Blank lines are skipped and print nothing. Each event prints {@code {"ok": ...}} or
 * {@code {"error": {"kind": K, "message": ...}}} with {@code K} one of {@code argument},
 * {@code state}, {@code protocol} and {@code storage}, exactly as the format says. A script line
 * that is not an event (not JSON, not an object with exactly one key, an unknown event, or a
 * {@code local_write}/{@code clear} payload of the wrong type) prints
 * {@code {"error": {"kind": "script", "line": N, "message": ...}}} where {@code N} is the line
 * number in the script; the run goes on, and {@link ReplayResult#wellFormed()} reports it.
 *
 * <p>Payloads become {@link ControlPayload}s as the format says: a JSON integer in the signed
 * 64-bit range is an integer, a string is text, {@code null} is null, any other number (such as
 * {@code 5.0}, {@code 1e3} or an out-of-range integer) is a real, and booleans, arrays and objects
 * are blobs of their JSON text, which every command rejects as "not an integer" after its
 * precondition.
 *
 * <p>A {@code line} event is decoded with a {@link SyncLineDecoder}. As for every error raised
 * while handling a line, a line that does not decode ends the active iteration (without one, it is
 * a state error like any line).
 *
 * <p>Immutable and thread-safe; a run is confined to the calling thread. Runs may follow each
 * other on one client (the state carries over), but concurrent runs must not share a client or a
 * store.
 */
public final class ReplayRunner {

  /** The table of the rows that {@code local_write} queues, as the conformance harness uses. */
  public static final String LOCAL_WRITE_TABLE = "items";

  private final SyncLineDecoder decoder;
  private final Consumer<RuntimeException> errorObserver;

  private ReplayRunner(SyncLineDecoder decoder, Consumer<RuntimeException> errorObserver) {
    this.decoder = decoder;
    this.errorObserver = errorObserver;
  }

  /** @return a runner that decodes {@code line} events with the default {@link SyncLineDecoder} */
  public static ReplayRunner create() {
    return new ReplayRunner(SyncLineDecoder.create(), error -> {});
  }

  /**
   * @param observer called with each exception that an event turned into an error line, before
   *     the line is printed (for example to log stack traces); it must not throw
   * @return a runner that reports event errors to {@code observer}
   */
  public ReplayRunner withErrorObserver(Consumer<RuntimeException> observer) {
    return new ReplayRunner(decoder, Objects.requireNonNull(observer, "observer"));
  }

  /**
   * Runs a script on a new {@link SyncClient} built on {@code store}.
   *
   * @param store the store; its client id appears in initial requests
   * @param script the script, JSON Lines
   * @param output receives each output line (without a line terminator), as soon as it is known
   * @return the counts and the script errors
   * @throws UncheckedIOException if reading the script failed
   */
  public ReplayResult run(CheckpointStore store, Reader script, Consumer<String> output) {
    return run(store, SyncClient.create(Objects.requireNonNull(store, "store")), script, output);
  }

  /**
   * Runs a script on {@code client}.
   *
   * @param store the store {@code client} was built on; {@code state} events read it
   * @param client the client
   * @param script the script, JSON Lines
   * @param output receives each output line (without a line terminator), as soon as it is known
   * @return the counts and the script errors
   * @throws UncheckedIOException if reading the script failed
   */
  public ReplayResult run(
      CheckpointStore store, SyncClient client, Reader script, Consumer<String> output) {
    Objects.requireNonNull(script, "script");
    BufferedReader lines = script instanceof BufferedReader buffered
        ? buffered
        : new BufferedReader(script);
    return run(store, client, lines.lines().iterator(), output);
  }

  /**
   * Runs a script given as its lines on {@code client}.
   *
   * @param store the store {@code client} was built on; {@code state} events read it
   * @param client the client
   * @param scriptLines the lines of the script
   * @param output receives each output line, as soon as it is known
   * @return the counts and the script errors
   */
  public ReplayResult run(
      CheckpointStore store, SyncClient client, List<String> scriptLines, Consumer<String> output) {
    return run(store, client, Objects.requireNonNull(scriptLines, "scriptLines").iterator(), output);
  }

  private ReplayResult run(
      CheckpointStore store, SyncClient client, Iterator<String> lines, Consumer<String> output) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(output, "output");
    Run run = new Run(store, client);
    int lineNumber = 0;
    int events = 0;
    int errorLines = 0;
    List<ReplayResult.ScriptError> scriptErrors = new ArrayList<>();
    while (lines.hasNext()) {
      String text = lines.next();
      lineNumber++;
      if (text.isBlank()) {
        continue;
      }
      events++;
      ObjectNode printed;
      try {
        printed = run.event(text);
      } catch (ScriptException e) {
        scriptErrors.add(new ReplayResult.ScriptError(lineNumber, e.getMessage()));
        printed = scriptError(lineNumber, e.getMessage());
      } catch (RuntimeException e) {
        errorObserver.accept(e);
        printed = error(kindOf(e), e);
      }
      if (printed.has("error")) {
        errorLines++;
      }
      output.accept(ReplayJson.write(printed));
    }
    return new ReplayResult(events, errorLines, scriptErrors);
  }

  /**
   * @param e an exception an event raised
   * @return its kind in the replay format: {@code argument}, {@code state}, {@code protocol} or
   *     {@code storage}
   */
  static String kindOf(RuntimeException e) {
    if (e instanceof CheckpointArgumentException) {
      return "argument";
    }
    if (e instanceof CheckpointStateException) {
      return "state";
    }
    if (e instanceof SyncProtocolException) {
      return "protocol";
    }
    return "storage";
  }

  private static ObjectNode error(String kind, RuntimeException e) {
    ObjectNode error = ReplayJson.object();
    error.put("kind", kind);
    error.put("message", e.getMessage() != null ? e.getMessage() : e.getClass().getName());
    ObjectNode line = ReplayJson.object();
    line.set("error", error);
    return line;
  }

  private static ObjectNode scriptError(int lineNumber, String message) {
    ObjectNode error = ReplayJson.object();
    error.put("kind", "script");
    error.put("line", lineNumber);
    error.put("message", message);
    ObjectNode line = ReplayJson.object();
    line.set("error", error);
    return line;
  }

  private static ObjectNode ok(JsonNode value) {
    ObjectNode line = ReplayJson.object();
    line.set("ok", value);
    return line;
  }

  /** The script line is not an event: the script is malformed. */
  private static final class ScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScriptException(String message) {
      super(message, null, false, false);
    }
  }

  /** One run: the client, its store and the decoder. Confined to the running thread. */
  private final class Run {
    private final CheckpointStore store;
    private final SyncClient client;

    Run(CheckpointStore store, SyncClient client) {
      this.store = store;
      this.client = client;
    }

    ObjectNode event(String text) {
      JsonNode event;
      try {
        event = ReplayJson.parse(text);
      } catch (JsonProcessingException e) {
        throw new ScriptException("invalid JSON: " + e.getOriginalMessage());
      }
      if (!event.isObject() || event.size() != 1) {
        throw new ScriptException("an event must be a JSON object with exactly one key, got "
            + describe(event));
      }
      String name = event.fieldNames().next();
      JsonNode payload = event.get(name);
      switch (name) {
        case "start":
          return ok(start(payload));
        case "seed":
          return ok(id(client.control().seed(controlPayload(payload))));
        case "next":
          return ok(id(client.control().next()));
        case "current":
          return ok(id(client.control().current()));
        case "target":
          return ok(id(client.control().target(controlPayload(payload))));
        case "local_write":
          client.barrier().recordLocalWrite(
              LocalWrite.put(LOCAL_WRITE_TABLE, rowId(payload), "{}"));
          return ok(ReplayJson.NODES.nullNode());
        case "upload_done":
          // Every queued write was uploaded: empty the queue through the store, as the SQL
          // surface does; the write checkpoint is the script's own business (completed_upload).
          store.inTransaction(tx -> {
            tx.uploadQueue().removeThrough(Long.MAX_VALUE);
            return null;
          });
          return ok(ReplayJson.NODES.nullNode());
        case "line":
          return ok(outcomes(client.handleLine(decode(payload))));
        case "completed_upload":
          return ok(outcomes(client.completedUpload()));
        case "stop":
          client.stop();
          return ok(ReplayJson.NODES.nullNode());
        case "clear":
          client.clear(clearFlags(payload));
          return ok(ReplayJson.NODES.nullNode());
        case "state":
          return ok(state());
        case "status":
          return ok(status(client.status().snapshot()));
        default:
          throw new ScriptException("unknown event \"" + name + "\"; expected one of start, seed,"
              + " next, current, target, local_write, upload_done, line, completed_upload, stop,"
              + " clear, state, status");
      }
    }

    private JsonNode start(JsonNode payload) {
      // The mode is parsed before anything happens, so a bad mode leaves a running iteration.
      Optional<CheckpointRequest> request = client.start(mode(payload));
      ObjectNode result = ReplayJson.object();
      request.ifPresent(initial -> {
        ObjectNode body = result.putObject("checkpoint_request");
        body.put("client_id", initial.clientId().value());
        body.put("checkpoint_request_id", initial.id().toWireString());
      });
      return result;
    }

    private SyncLine decode(JsonNode payload) {
      try {
        return decoder.decode(payload);
      } catch (SyncProtocolException e) {
        if (!client.isIterationActive()) {
          // As for any line: the missing iteration is reported before what is wrong with the line.
          throw new CheckpointStateException(
              CheckpointStateException.Reason.NO_ACTIVE_ITERATION, "No iteration is active");
        }
        client.abort(e); // every error raised while handling a line ends the iteration
        throw e;
      }
    }

    private JsonNode state() {
      return store.inTransaction(tx -> {
        CheckpointState state = tx.state();
        ObjectNode result = ReplayJson.object();
        result.set("target", id(state.target()));
        result.set("last_requested", id(state.lastRequested()));
        result.set("last_seen", writeCheckpoint(state.lastSeen()));
        result.set("last_applied", writeCheckpoint(state.lastApplied()));
        result.put("upload_queue", tx.uploadQueue().size());
        return result;
      });
    }
  }

  /** {@code start}'s payload: null or an object whose {@code checkpoint_mode} may be absent. */
  static CheckpointMode mode(JsonNode payload) {
    if (payload.isNull()) {
      return CheckpointMode.LEGACY;
    }
    if (!payload.isObject()) {
      throw new CheckpointArgumentException(
          "start expects null or an object with an optional checkpoint_mode, got "
              + describe(payload));
    }
    JsonNode mode = payload.get("checkpoint_mode");
    if (mode == null) {
      return CheckpointMode.LEGACY;
    }
    if (!mode.isTextual()) {
      throw new CheckpointArgumentException(
          "checkpoint_mode must be \"legacy\" or \"requests\", got " + describe(mode));
    }
    return CheckpointMode.fromWireName(mode.textValue());
  }

  /** A JSON payload as the dynamically typed value a {@code powersync_control} command gets. */
  static ControlPayload controlPayload(JsonNode payload) {
    if (payload.isNull()) {
      return ControlPayload.NULL;
    }
    if (payload.isIntegralNumber() && payload.canConvertToLong()) {
      return new ControlPayload.IntegerValue(payload.longValue());
    }
    if (payload.isNumber()) {
      return new ControlPayload.RealValue(payload.doubleValue());
    }
    if (payload.isTextual()) {
      return new ControlPayload.TextValue(payload.textValue());
    }
    return new ControlPayload.BlobValue(ReplayJson.write(payload).getBytes(StandardCharsets.UTF_8));
  }

  private static String rowId(JsonNode payload) {
    if (!payload.isTextual()) {
      throw new ScriptException("local_write expects the row id as a string, got "
          + describe(payload));
    }
    return payload.textValue();
  }

  private static ClearFlags clearFlags(JsonNode payload) {
    if (!payload.isIntegralNumber() || !payload.canConvertToInt()) {
      throw new ScriptException("clear expects the flags as a 32-bit integer, got "
          + describe(payload));
    }
    return ClearFlags.of(payload.intValue());
  }

  private static JsonNode id(CheckpointRequestId id) {
    return ReplayJson.NODES.numberNode(id.value());
  }

  private static JsonNode id(Optional<CheckpointRequestId> id) {
    return id.map(ReplayRunner::id).orElse(ReplayJson.NODES.nullNode());
  }

  private static JsonNode writeCheckpoint(Optional<WriteCheckpoint> writeCheckpoint) {
    return writeCheckpoint
        .<JsonNode>map(wc -> ReplayJson.NODES.numberNode(wc.value()))
        .orElse(ReplayJson.NODES.nullNode());
  }

  private static JsonNode outcomes(List<LineOutcome> outcomes) {
    ArrayNode result = ReplayJson.NODES.arrayNode();
    for (LineOutcome outcome : outcomes) {
      ObjectNode item = result.addObject();
      if (outcome instanceof LineOutcome.Applied applied) {
        item.set("applied", writeCheckpoint(applied.writeCheckpoint()));
      } else if (outcome instanceof LineOutcome.Held) {
        item.put("held", true);
      } else if (outcome instanceof LineOutcome.PartialApplied partial) {
        item.put("partial_applied", partial.priority());
      } else if (outcome instanceof LineOutcome.Closed) {
        item.put("closed", true);
      } else {
        throw new IllegalStateException("unknown line outcome " + outcome);
      }
    }
    return result;
  }

  private static JsonNode status(SyncStatusSnapshot snapshot) {
    ObjectNode result = ReplayJson.object();
    result.put("connected", snapshot.connected());
    result.put("connecting", snapshot.connecting());
    result.set("last_applied_checkpoint_request_id",
        writeCheckpoint(snapshot.lastAppliedCheckpointRequestId()));
    return result;
  }

  /** A short description of a JSON value for messages. */
  static String describe(JsonNode value) {
    String text = value.isTextual() ? "string " + ReplayJson.write(value)
        : value.isObject() ? "an object with " + value.size() + " keys"
        : value.isArray() ? "an array"
        : value.isNumber() ? "number " + value.asText()
        : value.isNull() ? "null"
        : value.isBoolean() ? "boolean " + value.booleanValue()
        : value.getNodeType().toString();
    return text.length() <= 60 ? text : text.substring(0, 60) + "...";
  }
}

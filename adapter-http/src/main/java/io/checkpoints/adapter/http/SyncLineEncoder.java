package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;

/**
 * Encodes a {@link SyncLine} as the one-line JSON text the service streams (section 11 of the
 * behaviour), the inverse of {@link SyncLineDecoder} for every line it can carry:
 *
 * <ul>
 *   <li>{@code {"checkpoint":{"last_op_id":"1","write_checkpoint":"3","buckets":[]}}}
 *   <li>{@code {"checkpoint_diff":{"last_op_id":"2","write_checkpoint":"4","updated_buckets":[],"removed_buckets":[]}}}
 *   <li>{@code {"checkpoint_complete":{"last_op_id":"2"}}}
 *   <li>{@code {"partial_checkpoint_complete":{"last_op_id":"2","priority":1}}}
 *   <li>{@code {"token_expires_in":60}}
 *   <li>{@code {"<type>":{}}} for {@link SyncLine.Other}, which carries only its type
 * </ul>
 *
 * <p>{@code write_checkpoint} is always a decimal string, never a JSON number (the decoder rejects
 * numbers, as the reference does); an empty one is omitted, as the service omits it. Bucket arrays
 * are empty: a {@link SyncLine} carries no bucket data. The text has no newline; a stream adds one
 * after each line.
 *
 * <p>Stateless and thread-safe.
 */
public final class SyncLineEncoder {

  private static final SyncLineEncoder INSTANCE = new SyncLineEncoder();
  private static final JsonFactory FACTORY = new JsonFactory();

  private SyncLineEncoder() {}

  /** @return the encoder */
  public static SyncLineEncoder create() {
    return INSTANCE;
  }

  /**
   * @param line the line
   * @return its JSON text, without a trailing newline
   * @throws CheckpointArgumentException for a {@code token_expires_in} outside the 32-bit range,
   *     which the decoder (like the reference) would refuse
   * @throws NullPointerException if {@code line} is null
   */
  public String encode(SyncLine line) {
    Objects.requireNonNull(line, "line");
    StringWriter text = new StringWriter(96);
    try (JsonGenerator json = FACTORY.createGenerator(text)) {
      json.writeStartObject();
      if (line instanceof SyncLine.Checkpoint) {
        SyncLine.Checkpoint checkpoint = (SyncLine.Checkpoint) line;
        json.writeObjectFieldStart("checkpoint");
        json.writeStringField("last_op_id", checkpoint.lastOpId());
        writeCheckpoint(json, checkpoint.writeCheckpoint());
        json.writeArrayFieldStart("buckets");
        json.writeEndArray();
        json.writeEndObject();
      } else if (line instanceof SyncLine.CheckpointDiff) {
        SyncLine.CheckpointDiff diff = (SyncLine.CheckpointDiff) line;
        json.writeObjectFieldStart("checkpoint_diff");
        json.writeStringField("last_op_id", diff.lastOpId());
        writeCheckpoint(json, diff.writeCheckpoint());
        json.writeArrayFieldStart("updated_buckets");
        json.writeEndArray();
        json.writeArrayFieldStart("removed_buckets");
        json.writeEndArray();
        json.writeEndObject();
      } else if (line instanceof SyncLine.CheckpointComplete) {
        json.writeObjectFieldStart("checkpoint_complete");
        json.writeStringField("last_op_id", ((SyncLine.CheckpointComplete) line).lastOpId());
        json.writeEndObject();
      } else if (line instanceof SyncLine.PartialCheckpointComplete) {
        SyncLine.PartialCheckpointComplete partial = (SyncLine.PartialCheckpointComplete) line;
        json.writeObjectFieldStart("partial_checkpoint_complete");
        json.writeStringField("last_op_id", partial.lastOpId());
        json.writeNumberField("priority", partial.priority());
        json.writeEndObject();
      } else if (line instanceof SyncLine.TokenExpiresIn) {
        long seconds = ((SyncLine.TokenExpiresIn) line).seconds();
        if (seconds < Integer.MIN_VALUE || seconds > Integer.MAX_VALUE) {
          throw new CheckpointArgumentException(
              "token_expires_in must fit in 32 bits, as clients read it; got " + seconds);
        }
        json.writeNumberField("token_expires_in", seconds);
      } else {
        json.writeObjectFieldStart(((SyncLine.Other) line).type());
        json.writeEndObject();
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to a string cannot fail", e);
    }
    return text.toString();
  }

  private static void writeCheckpoint(JsonGenerator json, Optional<WriteCheckpoint> value)
      throws IOException {
    if (value.isPresent()) {
      json.writeStringField("write_checkpoint", Long.toString(value.get().value()));
    }
  }
}

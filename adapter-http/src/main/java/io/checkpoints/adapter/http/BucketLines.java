package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.SyncDataService.BucketData;
import io.checkpoints.ports.SyncDataService.OplogEntry;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The sync lines that carry a bucket: a {@code checkpoint} listing it with its checksum and count,
 * and a {@code data} line with its oplog entries, in the wire format of the PowerSync service
 * (op ids as decimal strings, each entry's columns as a JSON string). Stateless.
 */
final class BucketLines {

  /** The priority the service gives a bucket without one: 3, the lowest. */
  static final int DEFAULT_PRIORITY = 3;

  private BucketLines() {}

  static String checkpoint(BucketData bucket, Optional<WriteCheckpoint> writeCheckpoint) {
    ObjectNode line = Json.object();
    ObjectNode checkpoint = line.putObject("checkpoint");
    checkpoint.put("last_op_id", Long.toString(bucket.lastOpId()));
    writeCheckpoint.ifPresent(value ->
        checkpoint.put("write_checkpoint", Long.toString(value.value())));
    ObjectNode entry = checkpoint.putArray("buckets").addObject();
    entry.put("bucket", bucket.bucket());
    entry.put("checksum", bucket.checksum());
    entry.put("count", bucket.count());
    entry.put("priority", DEFAULT_PRIORITY);
    return text(line);
  }

  /** The entries after {@code after}; call only when there are some. */
  static String data(BucketData bucket, long after) {
    ObjectNode line = Json.object();
    ObjectNode data = line.putObject("data");
    data.put("bucket", bucket.bucket());
    data.put("after", Long.toString(after));
    data.put("next_after", Long.toString(bucket.lastOpId()));
    data.put("has_more", false);
    ArrayNode entries = data.putArray("data");
    for (OplogEntry oplogEntry : bucket.entriesAfter()) {
      ObjectNode entry = entries.addObject();
      entry.put("op_id", Long.toString(oplogEntry.opId()));
      entry.put("op", oplogEntry.op());
      entry.put("object_type", oplogEntry.objectType());
      entry.put("object_id", oplogEntry.objectId());
      if ("PUT".equals(oplogEntry.op())) {
        entry.put("data", columns(oplogEntry.data()));
      } else {
        entry.putNull("data");
      }
      entry.put("checksum", oplogEntry.checksum());
    }
    return text(line);
  }

  static String checkpointComplete(long lastOpId) {
    ObjectNode line = Json.object();
    line.putObject("checkpoint_complete").put("last_op_id", Long.toString(lastOpId));
    return text(line);
  }

  private static String columns(Map<String, Object> data) {
    try {
      return Json.MAPPER.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("JDK scalars always serialize", e);
    }
  }

  private static String text(ObjectNode line) {
    try {
      return Json.MAPPER.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("a tree of scalars always serializes", e);
    }
  }
}

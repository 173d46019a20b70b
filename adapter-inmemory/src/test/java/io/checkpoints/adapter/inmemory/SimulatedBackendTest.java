package io.checkpoints.adapter.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.SyncDataService.BucketData;
import io.checkpoints.ports.SyncDataService.Operation;
import io.checkpoints.ports.SyncDataService.OperationKind;
import io.checkpoints.ports.SyncDataService.OplogEntry;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.testkit.support.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedBackendTest {

  private static final Duration LAG = Duration.ofSeconds(2);

  private final ManualScheduler scheduler = ManualScheduler.create();
  private final SimulatedBackend backend = SimulatedBackend.create(
      SimulatedCheckpointService.builder(scheduler).replicationLag(LAG));

  private static Operation put(String id, String title) {
    return new Operation(OperationKind.PUT, "todos", id, Map.of("title", title));
  }

  private static int sumOfChecksums(List<OplogEntry> entries) {
    int sum = 0;
    for (OplogEntry entry : entries) {
      sum += entry.checksum();
    }
    return sum;
  }

  @Test
  void anUploadChangesTheRowsAtOnceAndTheBucketOnlyAfterTheReplicationLag() {
    backend.applyUpload("alice", List.of(put("t1", "first")));

    assertThat(backend.row("alice", "todos", "t1")).contains(Map.of("title", "first"));
    assertThat(backend.bucketData("alice", 0).count()).isZero();
    scheduler.advance(LAG.minusMillis(1));
    assertThat(backend.bucketData("alice", 0).count()).isZero();
    scheduler.advance(Duration.ofMillis(1));

    BucketData bucket = backend.bucketData("alice", 0);
    assertThat(bucket.bucket()).isEqualTo("user:alice");
    assertThat(bucket.count()).isEqualTo(1);
    assertThat(bucket.entriesAfter()).singleElement().satisfies(entry -> {
      assertThat(entry.op()).isEqualTo("PUT");
      assertThat(entry.objectType()).isEqualTo("todos");
      assertThat(entry.objectId()).isEqualTo("t1");
      assertThat(entry.data()).isEqualTo(Map.of("title", "first"));
      assertThat(entry.opId()).isEqualTo(bucket.lastOpId());
    });
  }

  @Test
  void theBucketChecksumIsTheWrappingSumOfEveryEntryIncludingSupersededAndRemovedOnes() {
    backend.applyUpload("alice", List.of(put("t1", "a"), put("t2", "b")));
    backend.applyUpload("alice", List.of(
        new Operation(OperationKind.PATCH, "todos", "t1", Map.of("done", true)),
        new Operation(OperationKind.DELETE, "todos", "t2", Map.of())));
    scheduler.advance(LAG);

    BucketData bucket = backend.bucketData("alice", 0);
    assertThat(bucket.entriesAfter()).extracting(OplogEntry::op)
        .containsExactly("PUT", "PUT", "PUT", "REMOVE");
    assertThat(bucket.entriesAfter().get(2).data()).isEqualTo(Map.of("title", "a", "done", true));
    assertThat(bucket.count()).isEqualTo(4);
    assertThat(bucket.checksum()).isEqualTo(sumOfChecksums(bucket.entriesAfter()));
    // A client that has the first two entries gets the rest; the checksum still covers all.
    long second = bucket.entriesAfter().get(1).opId();
    BucketData rest = backend.bucketData("alice", second);
    assertThat(rest.entriesAfter()).hasSize(2);
    assertThat(rest.checksum()).isEqualTo(bucket.checksum());
    assertThat(backend.bucketData("alice", bucket.lastOpId()).entriesAfter()).isEmpty();
    assertThat(backend.bucketData("alice", Long.MAX_VALUE).entriesAfter()).isEmpty();
  }

  @Test
  void eachOperationOfABatchLeavesTheRowAsThatOperationLeftIt() {
    backend.applyUpload("alice", List.of(put("t1", "short-lived"),
        new Operation(OperationKind.DELETE, "todos", "t1", Map.of())));
    scheduler.advance(LAG);

    assertThat(backend.bucketData("alice", 0).entriesAfter())
        .extracting(OplogEntry::op, OplogEntry::data)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("PUT", Map.of("title", "short-lived")),
            org.assertj.core.groups.Tuple.tuple("REMOVE", Map.of()));
    assertThat(backend.row("alice", "todos", "t1")).isEmpty();
  }

  @Test
  void checksumsWrapAroundInThirtyTwoBits() {
    List<Operation> many = new ArrayList<>();
    for (int index = 0; index < 200; index++) {
      many.add(put("t" + index, "title " + index));
    }
    backend.applyUpload("alice", many);
    scheduler.advance(LAG);

    BucketData bucket = backend.bucketData("alice", 0);
    long exact = 0;
    for (OplogEntry entry : bucket.entriesAfter()) {
      exact += entry.checksum() & 0xffffffffL;
    }
    assertThat(exact).as("the unwrapped sum exceeds 32 bits").isGreaterThan(0xffffffffL);
    assertThat(bucket.checksum()).isEqualTo((int) exact);
  }

  @Test
  void eachUserHasOwnBucketAndRows() {
    backend.applyUpload("alice", List.of(put("t1", "alice's")));
    backend.applyUpload("bob", List.of(put("t1", "bob's")));
    scheduler.advance(LAG);

    assertThat(backend.bucketData("bob", 0).entriesAfter()).singleElement()
        .satisfies(entry -> assertThat(entry.data()).containsEntry("title", "bob's"));
    assertThat(backend.row("alice", "todos", "t1")).contains(Map.of("title", "alice's"));
    assertThat(backend.bucketName("bob")).isEqualTo("user:bob");
    assertThat(backend.rowCount("carol")).isZero();
    assertThat(backend.bucketData("carol", 0).lastOpId()).isZero();
  }

  @Test
  void aWriteCheckpointRequestedAfterAnUploadIsAcknowledgedOnlyWithTheUploadInTheBucket() {
    List<SyncLine> lines = new ArrayList<>();
    Map<String, Long> countWhenAcknowledged = new HashMap<>();
    backend.service().openStream("alice", ClientId.of("c1"), line -> {
      lines.add(line);
      if (line instanceof SyncLine.Checkpoint checkpoint
          && checkpoint.writeCheckpoint().isPresent()) {
        countWhenAcknowledged.putIfAbsent("first", backend.bucketData("alice", 0).count());
      }
    });
    backend.applyUpload("alice", List.of(put("t1", "mine")));
    backend.service().legacyWriteCheckpoint("alice", ClientId.of("c1"));

    scheduler.advance(LAG);

    assertThat(countWhenAcknowledged).containsEntry("first", 1L);
  }

  @Test
  void withoutLagTheUploadIsInTheBucketBeforeTheCallReturns() {
    SimulatedBackend immediate = SimulatedBackend.create(SimulatedCheckpointService.builder(scheduler));
    List<SyncLine> lines = new ArrayList<>();
    immediate.service().openStream("alice", ClientId.of("c1"), lines::add);
    int before = lines.size();

    immediate.applyUpload("alice", List.of(put("t1", "now")));

    assertThat(immediate.bucketData("alice", 0).count()).isEqualTo(1);
    assertThat(lines.size()).as("a checkpoint announces the data").isGreaterThan(before);
  }

  @Test
  void anEmptyBatchAndAPatchOfAMissingRowChangeNothing() {
    backend.applyUpload("alice", List.of());
    backend.applyUpload("alice", List.of(
        new Operation(OperationKind.PATCH, "todos", "missing", Map.of("title", "x")),
        new Operation(OperationKind.DELETE, "todos", "missing", Map.of())));
    scheduler.advance(LAG);

    assertThat(backend.rowCount("alice")).isZero();
    assertThat(backend.bucketData("alice", 0).count()).isZero();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void badArgumentsAreRefusedWithoutChangingAnything() {
    assertThatThrownBy(() -> backend.applyUpload("", List.of(put("t1", "x"))))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> backend.applyUpload(null, List.of(put("t1", "x"))))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> backend.bucketData("alice", -1))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> new Operation(OperationKind.PUT, "todos", " ", Map.of()))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> new Operation(OperationKind.PUT, "todos", "t1", Map.of("id", "t2")))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("id");
    assertThatThrownBy(() -> new Operation(OperationKind.PUT, "todos", "t1",
        Map.of("nested", List.of(1)))).isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("nested");
    assertThat(backend.rowCount("alice")).isZero();
  }

  @Test
  void theChecksumOfAnEntryIsTheFirstFourBytesOfItsSha256() {
    // SHA-256("abc") starts ba 78 16 bf.
    assertThat(SimulatedBackend.checksum("abc")).isEqualTo(0xba7816bf);
  }
}

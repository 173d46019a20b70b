package io.checkpoints.adapter.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.testkit.support.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Source writes and checkpoint requests share one replication timeline. */
class SourceWritesTest {

  private static final ClientId PHONE = ClientId.of("phone");

  private final ManualScheduler scheduler = ManualScheduler.create();
  private final Map<Long, Long> replicatedPositionOfCheckpoint = new LinkedHashMap<>();
  private final SimulatedCheckpointService service = SimulatedCheckpointService.builder(scheduler)
      .replicationLag(Duration.ofSeconds(5))
      .checkpointObserver(replicatedPositionOfCheckpoint::put)
      .build();

  @Test
  void aWriteReplicatesAfterTheLagAndEveryStreamGetsACheckpointThatReflectsIt() {
    List<SyncLine> lines = new ArrayList<>();
    service.openStream("alice", PHONE, lines::add);
    long position = service.recordSourceWrite();
    assertThat(service.replicatedPosition()).isLessThan(position);
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(service.replicatedPosition()).isEqualTo(position);
    assertThat(lines).hasSize(4); // the opening checkpoint and the write's, each with its complete
    String lastOpId = ((SyncLine.CheckpointComplete) lines.get(3)).lastOpId();
    assertThat(replicatedPositionOfCheckpoint).containsEntry(Long.parseLong(lastOpId), position);
  }

  @Test
  void aRequestStoredAfterAWriteIsAcknowledgedOnlyWithDataThatHasTheWrite() {
    long write = service.recordSourceWrite();
    scheduler.advance(Duration.ofSeconds(2));
    service.acceptCheckpointRequest("alice", new CheckpointRequest(PHONE, CheckpointRequestId.of(1)));
    scheduler.advance(Duration.ofSeconds(3));
    assertThat(service.acknowledgedId("alice", PHONE)).as("the request's position is later").isEmpty();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(service.acknowledgedId("alice", PHONE)).contains(CheckpointRequestId.of(1));
    assertThat(service.replicatedPosition()).isGreaterThan(write);
  }
}

package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.domain.LineOutcome;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.UploadCheckpointAllocation;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load (issue 8): 8 threads on one SQLite file for 2.5 s: 2 allocate ids, 3 queue local writes by
 * SQL on connections of their own (the TEMP trigger arms the gate), 1 through the Java API, 1 runs
 * the upload flow (mark uploaded, allocate for upload, adopt the target, completed_upload) and 1
 * applies checkpoints. No thread sees an error, every id is unique, and no checkpoint is applied
 * while a write committed before its line is still queued; at the end the gate opens.
 */
class SqliteLoadTest {

  private static final long DURATION_NANOS = TimeUnit.MILLISECONDS.toNanos(2_500);

  @TempDir Path directory;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void eightThreadsMixingAllocationWritesAndCheckpoints() throws Exception {
    Path file = directory.resolve("load.db");
    Set<Long> ids = ConcurrentHashMap.newKeySet();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong committedWrite = new AtomicLong();
    AtomicLong uploadedThrough = new AtomicLong();
    AtomicLong latestId = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    AtomicLong applied = new AtomicLong();
    AtomicLong held = new AtomicLong();
    AtomicLong violations = new AtomicLong();
    List<String> violationTexts = new ArrayList<>();
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      SyncClient client = SyncClient.create(store);
      CheckpointRequestId initial = client.start(CheckpointMode.REQUESTS).orElseThrow().id();
      client.sequence().seed(initial);
      long deadline = System.nanoTime() + DURATION_NANOS;
      List<Thread> threads = new ArrayList<>();

      java.util.function.LongConsumer record = id -> {
        if (!ids.add(id)) {
          duplicates.incrementAndGet();
        }
        latestId.accumulateAndGet(id, Math::max);
      };
      for (int t = 0; t < 2; t++) {
        threads.add(thread("allocator-" + t, deadline, errors, () -> record.accept(client.sequence().next().value())));
      }
      for (int t = 0; t < 3; t++) {
        Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        SqliteCheckpointStore joined = SqliteCheckpointStore.join(connection);
        Statement statement = connection.createStatement();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO ps_crud(data, tx_id) VALUES (?, 1)");
        threads.add(thread("sql-writer-" + t, deadline, errors, () -> {
          statement.execute("BEGIN IMMEDIATE");
          insert.setString(1, "{\"op\":\"PUT\",\"id\":\"r\",\"type\":\"items\",\"data\":{}}");
          insert.executeUpdate();
          long sequence;
          try (ResultSet rs = statement.executeQuery("SELECT last_insert_rowid()")) {
            rs.next();
            sequence = rs.getLong(1);
          }
          statement.execute("COMMIT");
          committedWrite.accumulateAndGet(sequence, Math::max);
          writes.incrementAndGet();
          pause();
        }, () -> {
          joined.close();
          connection.close();
        }));
      }
      threads.add(thread("api-writer", deadline, errors, () -> {
        long sequence = client.barrier().recordLocalWrite(LocalWrite.put("items", "a", "{}"));
        committedWrite.accumulateAndGet(sequence, Math::max);
        writes.incrementAndGet();
        pause();
      }));
      threads.add(thread("uploader", deadline, errors, () -> {
        long through = client.barrier().uploadQueueSequence();
        store.inTransaction(tx -> {
          tx.uploadQueue().removeThrough(through);
          return null;
        });
        uploadedThrough.accumulateAndGet(through, Math::max);
        UploadCheckpointAllocation allocation = client.sequence().allocateForUpload();
        record.accept(allocation.id().value());
        client.barrier().targetAcceptedRequest(allocation, allocation.id());
        long before = committedWrite.get();
        check(client.completedUpload(), before, uploadedThrough, applied, held, violations, violationTexts);
      }));
      AtomicLong opId = new AtomicLong();
      threads.add(thread("applier", deadline, errors, () -> {
        long before = committedWrite.get();
        String op = Long.toString(opId.incrementAndGet());
        client.handleLine(new SyncLine.Checkpoint(op, Optional.of(WriteCheckpoint.of(latestId.get()))));
        check(client.handleLine(new SyncLine.CheckpointComplete(op)), before, uploadedThrough, applied, held,
            violations, violationTexts);
      }));
      threads.forEach(Thread::start);
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(errors).as("errors in the threads").isEmpty();
      assertThat(duplicates.get()).as("duplicate ids").isZero();
      assertThat(violationTexts).as("checkpoints applied over queued writes").isEmpty();

      // Quiet now: one more upload round and a checkpoint for the latest id must open the gate.
      store.inTransaction(tx -> {
        tx.uploadQueue().removeThrough(Long.MAX_VALUE);
        return null;
      });
      UploadCheckpointAllocation last = client.sequence().allocateForUpload();
      assertThat(client.barrier().targetAcceptedRequest(last, last.id())).isTrue();
      client.handleLine(new SyncLine.Checkpoint("final", Optional.of(WriteCheckpoint.of(last.id().value()))));
      assertThat(client.handleLine(new SyncLine.CheckpointComplete("final")))
          .containsExactly(new LineOutcome.Applied(Optional.of(WriteCheckpoint.of(last.id().value()))));
      long counter = Reads.counter(store).map(CheckpointRequestId::value).orElseThrow();
      assertThat(counter).isGreaterThanOrEqualTo(ids.stream().mapToLong(Long::longValue).max().orElse(0));
      assertThat(Reads.longValue(store, "SELECT count(*) FROM ps_crud")).isZero();
      client.stop();
    }
    System.out.printf("load: 8 threads, 2.5 s on one SQLite file: %d unique ids, %d local writes, "
        + "%d checkpoints applied, %d held, 0 errors, 0 applied over a queued write%n",
        ids.size(), writes.get(), applied.get(), held.get());
  }

  private static void check(List<LineOutcome> outcomes, long committedBefore, AtomicLong uploadedThrough,
      AtomicLong applied, AtomicLong held, AtomicLong violations, List<String> texts) {
    for (LineOutcome outcome : outcomes) {
      if (outcome instanceof LineOutcome.Applied) {
        applied.incrementAndGet();
        long uploaded = uploadedThrough.get();
        if (committedBefore > uploaded) {
          violations.incrementAndGet();
          synchronized (texts) {
            texts.add("applied " + outcome + " while write " + committedBefore
                + " (committed before the line) was queued; uploaded through " + uploaded);
          }
        }
      } else if (outcome instanceof LineOutcome.Held) {
        held.incrementAndGet();
      }
    }
  }

  private static void pause() {
    if (ThreadLocalRandom.current().nextInt(4) == 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(1, 5)));
    }
  }

  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  private static Thread thread(String name, long deadline, ConcurrentLinkedQueue<Throwable> errors, Step step) {
    return thread(name, deadline, errors, step, () -> { });
  }

  private static Thread thread(String name, long deadline, ConcurrentLinkedQueue<Throwable> errors, Step step,
      Step cleanup) {
    return new Thread(() -> {
      try {
        while (System.nanoTime() < deadline) {
          step.run();
        }
      } catch (Throwable e) {
        errors.add(e);
      } finally {
        try {
          cleanup.run();
        } catch (Exception e) {
          errors.add(e);
        }
      }
    }, name);
  }
}

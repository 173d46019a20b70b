package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.WriteCheckpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tests of the upload queue: its sequence numbers, its reads, and the refusal of data that
 * is not a JSON object.
 *
 * <p>One part of the contract suite of {@link CheckpointStoreContract}: a store's test extends
 * {@link CheckpointStoreContract}, never this class, which only the suite's own classes can extend.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread.
 */
public abstract class UploadQueueContract extends StateContract {

  /** Package-private: only the next part of the suite extends it (see the class comment). */
  UploadQueueContract() {}

  // ---------------------------------------------------------------------------------------------
  // Upload queue

  @Test
  @DisplayName("queued writes get strictly increasing positive sequence numbers")
  void enqueueAssignsIncreasingSequences() {
    List<Long> sequences = new ArrayList<>();
    update(tx -> {
      sequences.add(tx.uploadQueue().enqueue(put("a")));
      sequences.add(tx.uploadQueue().enqueue(put("b").asInsertOnly()));
      assertThat(tx.uploadQueue().size()).isEqualTo(2);
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(sequences.get(1));
    });
    update(tx -> sequences.add(tx.uploadQueue().enqueue(
        new LocalWrite(LocalWrite.Operation.DELETE, "items", "a", "{}", false))));
    update(tx -> sequences.add(tx.uploadQueue().enqueue(
        new LocalWrite(LocalWrite.Operation.PATCH, "items", "b", "{\"n\":1}", false))));
    assertThat(sequences.get(0)).isPositive();
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    read(tx -> {
      assertThat(tx.uploadQueue().isEmpty()).isFalse();
      assertThat(tx.uploadQueue().size()).isEqualTo(4);
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(sequences.get(3));
      return null;
    });
  }

  @Test
  @DisplayName("enqueue alone leaves every checkpoint key as it was: arming is the caller's decision")
  void enqueueDoesNotArm() {
    openGate();
    long sequence = write(tx -> tx.uploadQueue().enqueue(put("a")));
    assertThat(sequence).isEqualTo(lastSequence());
    assertThat(target()).contains(CheckpointRequestId.of(5));
    assertThat(lastSeen()).contains(WriteCheckpoint.of(5));
    assertThat(lastApplied()).contains(WriteCheckpoint.of(5));
    assertThat(lastRequested()).contains(CheckpointRequestId.of(9));
  }

  // "logs": an adapter's test may declare it insert-only for SQL writes, so that the store's
  // trigger does not arm for it: then the store must report gateArmed false.
  @ParameterizedTest
  @ValueSource(strings = {"items", "logs"})
  @DisplayName("enqueueArmingGate queues the write and reports truly whether it armed the gate")
  void enqueueArmingGateReportsWhatItDid(String table) {
    long before = write(tx -> tx.uploadQueue().enqueue(put("first")));
    openGate();
    CheckpointTransaction.Enqueued enqueued = write(tx -> {
      CheckpointTransaction.Enqueued queued = tx.enqueueArmingGate(
          new LocalWrite(LocalWrite.Operation.PUT, table, "x", "{\"n\":1}", false));
      assertThat(tx.state().target()).as("the target inside the transaction")
          .contains(queued.gateArmed() ? CheckpointRequestId.MAX : CheckpointRequestId.of(5));
      return queued;
    });
    assertThat(enqueued.sequence()).isGreaterThan(before).isEqualTo(lastSequence());
    assertThat(queueSize()).isEqualTo(2);
    assertThat(lastRequested()).contains(CheckpointRequestId.of(9));
    if (enqueued.gateArmed()) {
      assertThat(target()).contains(CheckpointRequestId.MAX);
      assertThat(lastSeen()).isEmpty();
      assertThat(lastApplied()).isEmpty();
    } else {
      assertThat(target()).as("not armed: only the queue changed").contains(CheckpointRequestId.of(5));
      assertThat(lastSeen()).contains(WriteCheckpoint.of(5));
      assertThat(lastApplied()).contains(WriteCheckpoint.of(5));
    }
    if (table.equals("items")) {
      assertThat(enqueued.gateArmed()).as("whether this store arms the gate in the insert")
          .isEqualTo(armsGateInTheInsert());
    }
  }

  @Test
  @DisplayName("removeThrough removes the writes up to and including the sequence")
  void removeThroughRemovesUpToAndIncluding() {
    long[] s = enqueue(3);
    update(tx -> tx.uploadQueue().removeThrough(s[1]));
    read(tx -> {
      assertThat(tx.uploadQueue().size()).isEqualTo(1);
      assertThat(tx.uploadQueue().isEmpty()).isFalse();
      assertThat(tx.uploadQueue().lastSequence()).as("last sequence").isEqualTo(s[2]);
      return null;
    });
    update(tx -> tx.uploadQueue().removeThrough(s[2]));
    read(tx -> {
      assertThat(tx.uploadQueue().size()).isZero();
      assertThat(tx.uploadQueue().isEmpty()).isTrue();
      assertThat(tx.uploadQueue().lastSequence()).as("last sequence").isEqualTo(s[2]);
      return null;
    });
  }

  @Test
  @DisplayName("removeThrough(0) removes nothing, also from an empty queue")
  void removeThroughZeroRemovesNothing() {
    update(tx -> tx.uploadQueue().removeThrough(0));
    assertThat(queueIsEmpty()).isTrue();
    long[] s = enqueue(2);
    update(tx -> tx.uploadQueue().removeThrough(0));
    assertThat(queueSize()).isEqualTo(2);
    update(tx -> tx.uploadQueue().removeThrough(s[0] - 1));
    assertThat(queueSize()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 1000, MAX})
  @DisplayName("removeThrough of a future sequence removes all, and later writes stay queued")
  void removeThroughFutureSequence(long beyond) {
    long[] s = enqueue(2);
    long through = beyond == MAX ? MAX : s[1] + beyond;
    update(tx -> tx.uploadQueue().removeThrough(through));
    read(tx -> {
      assertThat(tx.uploadQueue().isEmpty()).isTrue();
      assertThat(tx.uploadQueue().size()).isZero();
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(s[1]);
      return null;
    });
    long next = write(tx -> tx.uploadQueue().enqueue(put("later")));
    assertThat(next).isGreaterThan(s[1]);
    read(tx -> {
      assertThat(tx.uploadQueue().isEmpty()).as("the later write is queued").isFalse();
      assertThat(tx.uploadQueue().size()).isEqualTo(1);
      assertThat(tx.uploadQueue().lastSequence()).isEqualTo(next);
      return null;
    });
  }

  @Test
  @DisplayName("sequence numbers keep increasing after removeThrough and after clear")
  void sequencesNeverRestart() {
    long[] first = enqueue(2);
    update(tx -> tx.uploadQueue().removeThrough(first[1]));
    long afterUpload = write(tx -> tx.uploadQueue().enqueue(put("c")));
    assertThat(afterUpload).isGreaterThan(first[1]);
    update(tx -> tx.clear(ClearFlags.HARD));
    assertThat(lastSequence())
        .as("last sequence after clear").isEqualTo(afterUpload);
    long afterClear = write(tx -> tx.uploadQueue().enqueue(put("d")));
    assertThat(afterClear).isGreaterThan(afterUpload);
    update(tx -> tx.clear(ClearFlags.of(ClearFlags.SOFT_BIT)));
    long afterSoftClear = write(tx -> tx.uploadQueue().enqueue(put("e")));
    assertThat(afterSoftClear).isGreaterThan(afterClear);
    assertThat(queueSize()).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading the upload queue

  @Test
  @DisplayName("firstWrites reads the oldest writes in order with their fields; one transaction id per transaction")
  void firstWritesReadsInOrder() {
    long[] first = write(tx -> new long[] {
        tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{\"n\":1}")),
        tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.PATCH, "items", "b", "{\"done\":true}", false)),
        tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.DELETE, "lists", "c", "{}", false))});
    long second = write(tx -> tx.enqueueArmingGate(LocalWrite.put("lists", "d", "{\"x\":\"y\"}")).sequence());
    List<QueuedWrite> all = firstWrites(Integer.MAX_VALUE);
    assertThat(all).extracting(QueuedWrite::sequence).containsExactly(first[0], first[1], first[2], second);
    assertThat(all).extracting(QueuedWrite::operation).containsExactly(LocalWrite.Operation.PUT,
        LocalWrite.Operation.PATCH, LocalWrite.Operation.DELETE, LocalWrite.Operation.PUT);
    assertThat(all).extracting(QueuedWrite::table).containsExactly("items", "items", "lists", "lists");
    assertThat(all).extracting(QueuedWrite::rowId).containsExactly("a", "b", "c", "d");
    assertThat(all).extracting(QueuedWrite::dataJson)
        .containsExactly("{\"n\":1}", "{\"done\":true}", "{}", "{\"x\":\"y\"}");
    long firstTransaction = all.get(0).transactionId();
    assertThat(all.subList(0, 3)).extracting(QueuedWrite::transactionId).containsOnly(firstTransaction);
    assertThat(all.get(3).transactionId()).as("the second transaction's id").isNotEqualTo(firstTransaction);
    assertThat(firstWrites(1)).containsExactly(all.get(0));
    assertThat(firstWrites(2)).containsExactlyElementsOf(all.subList(0, 2));
    assertThat(firstWrites(4)).isEqualTo(all);
    assertThat(firstWrites(5)).isEqualTo(all);
    assertThat(queueSize()).as("reading removes nothing").isEqualTo(4);
  }

  @Test
  @DisplayName("an empty queue reads as no writes and no transaction")
  void emptyQueueReadsEmpty() {
    assertThat(firstWrites(1)).isEmpty();
    assertThat(firstWrites(Integer.MAX_VALUE)).isEmpty();
    assertThat(firstTransaction()).isEmpty();
    long[] s = enqueue(2);
    update(tx -> tx.uploadQueue().removeThrough(s[1]));
    assertThat(firstWrites(10)).as("after an upload").isEmpty();
    assertThat(firstTransaction()).as("after an upload").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  @DisplayName("firstWrites of fewer than 1 write is refused with a typed error and changes nothing")
  void firstWritesRefusesLimitsBelowOne(int limit) {
    fillEveryKey();
    Snapshot before = snapshot();
    List<QueuedWrite> queued = firstWrites(Integer.MAX_VALUE);
    Throwable refused = store.inTransaction(tx -> catchThrowable(() -> tx.uploadQueue().firstWrites(limit)));
    assertThat(refused).as("the refusal").isInstanceOf(CheckpointArgumentException.class)
        .hasMessage("the number of queued writes to read must be at least 1, got " + limit);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(firstWrites(Integer.MAX_VALUE)).isEqualTo(queued);
  }

  @Test
  @DisplayName("firstTransaction reads the writes of the oldest transaction still queued, in order")
  void firstTransactionReadsTheOldestTransaction() {
    long[] first = write(tx -> new long[] {
        tx.uploadQueue().enqueue(put("a")), tx.uploadQueue().enqueue(put("b").asInsertOnly())});
    long[] second = write(tx -> new long[] {
        tx.uploadQueue().enqueue(put("c")), tx.enqueueArmingGate(put("d")).sequence()});
    long third = write(tx -> tx.uploadQueue().enqueue(put("e")));
    assertThat(firstTransaction())
        .extracting(QueuedWrite::sequence).containsExactly(first[0], first[1]);
    assertThat(firstTransaction())
        .extracting(QueuedWrite::rowId).containsExactly("a", "b");
    update(tx -> tx.uploadQueue().removeThrough(first[1]));
    List<QueuedWrite> next = firstTransaction();
    assertThat(next).extracting(QueuedWrite::sequence).containsExactly(second[0], second[1]);
    assertThat(next).extracting(QueuedWrite::transactionId).containsOnly(next.get(0).transactionId());
    update(tx -> tx.uploadQueue().removeThrough(second[1]));
    assertThat(firstTransaction())
        .extracting(QueuedWrite::sequence).containsExactly(third);
  }

  @Test
  @DisplayName("writes queued in nested work share the outer transaction's id")
  void nestedWritesShareTheTransactionId() {
    update(tx -> {
      tx.uploadQueue().enqueue(put("outer"));
      store.inTransaction(inner -> inner.uploadQueue().enqueue(put("inner")));
    });
    List<QueuedWrite> writes = firstTransaction();
    assertThat(writes).extracting(QueuedWrite::rowId).containsExactly("outer", "inner");
  }

  @Test
  @DisplayName("removing through a batch's last write keeps the writes queued after the batch")
  void removeThroughTheBatchKeepsLaterWrites() {
    enqueue(3);
    List<QueuedWrite> batch = firstWrites(2);
    long during = write(tx -> tx.uploadQueue().enqueue(put("queued-during-upload")));
    update(tx -> tx.uploadQueue().removeThrough(batch.get(batch.size() - 1).sequence()));
    List<QueuedWrite> left = firstWrites(Integer.MAX_VALUE);
    assertThat(left).extracting(QueuedWrite::rowId).containsExactly("row-2", "queued-during-upload");
    assertThat(left.get(1).sequence()).isEqualTo(during);
    assertThat(queueIsEmpty()).isFalse();
  }

  @Test
  @DisplayName("queued rows written by SQL: data absent reads as {}, extra members are ignored, an unknown op is a typed error")
  void foreignQueueRows() {
    long delete = write(tx -> tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.DELETE, "items", "gone", "{}", false)));
    Optional<Boolean> planted = store.inTransaction(tx -> tx.unwrap(Connection.class).map(connection -> {
      insertQueueRow(connection, "{\"op\":\"DELETE\",\"id\":\"sdk-1\",\"type\":\"items\"}", 900);
      insertQueueRow(connection, "{\"op\":\"PATCH\",\"id\":\"sdk-2\",\"type\":\"items\","
          + "\"data\":{\"n\":2},\"old\":{\"n\":1},\"metadata\":\"m\"}", 900);
      return true;
    }));
    List<QueuedWrite> writes = firstWrites(Integer.MAX_VALUE);
    assertThat(writes.get(0).sequence()).isEqualTo(delete);
    assertThat(writes.get(0).dataJson()).as("a DELETE queued through the port").isEqualTo("{}");
    if (planted.isEmpty()) {
      assertThat(writes).as("a store without SQL has only the port's writes").hasSize(1);
      return;
    }
    assertThat(writes).hasSize(3);
    assertThat(writes.get(1)).isEqualTo(new QueuedWrite(writes.get(1).sequence(), 900,
        LocalWrite.Operation.DELETE, "items", "sdk-1", "{}"));
    assertThat(writes.get(2)).isEqualTo(new QueuedWrite(writes.get(2).sequence(), 900,
        LocalWrite.Operation.PATCH, "items", "sdk-2", "{\"n\":2}"));
    assertThat(firstTransaction()).as("the smallest tx_id")
        .extracting(QueuedWrite::rowId).containsExactly("gone");
    long bad = store.inTransaction(tx -> {
      insertQueueRow(tx.unwrap(Connection.class).orElseThrow(),
          "{\"op\":\"MOVE\",\"id\":\"x\",\"type\":\"items\",\"data\":{}}", 901);
      return tx.uploadQueue().lastSequence();
    });
    Throwable failure = catchThrowable(() -> firstWrites(Integer.MAX_VALUE));
    assertThat(failure).isInstanceOf(CheckpointStorageException.class)
        .hasMessageContaining("ps_crud row " + bad).hasMessageContaining("MOVE");
    assertThat(firstWrites(3)).as("the rows before it still read").hasSize(3);
  }

  private static void insertQueueRow(Connection connection, String data, long txId) {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO ps_crud(data, tx_id) VALUES (?, ?)")) {
      insert.setString(1, data);
      insert.setLong(2, txId);
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not plant a ps_crud row", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The data of a local write must be the text of a JSON object, on every store

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[1,2]", "[]", "5", "-1.5", "\"text\"", "null", "true", "",
      " ", "{", "{\"a\":}", "{\"a\":1} {}", "{\"a\":1}x", "{'a':1}"})
  @DisplayName("a write whose data is not a JSON object is refused with the same typed error, and nothing changes")
  void dataThatIsNotAJsonObjectIsRefused(String data) {
    fillEveryKey();
    Snapshot before = snapshot();
    List<QueuedWrite> queued = firstWrites(Integer.MAX_VALUE);
    LocalWrite write = LocalWrite.put("items", "bad", data);
    String expected = "the data of a local write must be the text of a JSON object, got \""
        + (data.length() <= 40 ? data : data.substring(0, 40) + "...") + "\" for " + write;
    // Caught inside work that then commits: the refusal itself must leave nothing behind.
    List<Throwable> refusals = store.inTransaction(tx -> List.of(
        catchThrowable(() -> tx.uploadQueue().enqueue(write)),
        catchThrowable(() -> tx.enqueueArmingGate(write))));
    for (Throwable refusal : refusals) {
      assertThat(refusal).isInstanceOf(CheckpointArgumentException.class).hasMessage(expected);
    }
    assertThat(snapshot()).isEqualTo(before);
    assertThat(firstWrites(Integer.MAX_VALUE)).isEqualTo(queued);
  }

  @Test
  @DisplayName("a long refused text is shown abbreviated in the message")
  void longRefusedDataIsAbbreviated() {
    String data = "[" + "1,".repeat(50) + "1]";
    LocalWrite write = LocalWrite.put("items", "long", data);
    Throwable refusal = catchThrowable(() -> write(tx -> tx.uploadQueue().enqueue(write)));
    assertThat(refusal).isInstanceOf(CheckpointArgumentException.class)
        .hasMessage("the data of a local write must be the text of a JSON object, got \""
            + data.substring(0, 40) + "...\" for " + write);
    assertThat(queueIsEmpty()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"x\"}", "{\"e\":\"\\u00e9\\\"q\"}",
      "{\"big\":9223372036854775807,\"neg\":-1,\"dec\":1.50}",
      "{\"s\":\"\\\\u00e9 \\u0041\\n\\u00fc\\/\\t\\u001f\\ud83d\\ude00\"}"})
  @DisplayName("a write whose data is a JSON object, nested or empty, is queued and reads back as written")
  void jsonObjectsAreQueued(String data) {
    long sequence = write(tx -> tx.uploadQueue().enqueue(LocalWrite.put("items", "ok", data)));
    List<QueuedWrite> writes = firstWrites(1);
    assertThat(writes).extracting(QueuedWrite::sequence).containsExactly(sequence);
    // The rule of QueuedWrite.dataJson for compact text: as written, or with the escapes of
    // characters that need none written as the characters (H2's JSON type does that).
    assertThat(writes.get(0).dataJson()).as("the data read back")
        .isIn(data, needlessEscapesAsCharacters(data));
  }

  /**
   * {@code json} with every escape of a character that needs none written as that character:
   * <code>&#92;/</code>, and <code>&#92;uXXXX</code> of anything but a quote, a backslash or a
   * control character. Every other escape is kept as it is, an escaped backslash before a
   * {@code u} included. It rewrites escapes only, so the suite states its rule without a JSON
   * library; text that is not JSON is not its concern (the suite passes it valid text).
   */
  static String needlessEscapesAsCharacters(String json) {
    StringBuilder out = new StringBuilder(json.length());
    int i = 0;
    while (i < json.length()) {
      char c = json.charAt(i);
      char next = i + 1 < json.length() ? json.charAt(i + 1) : 0;
      if (c != '\\' || next == 0) {
        out.append(c);
        i++;
      } else if (next == '/') {
        out.append('/');
        i += 2;
      } else if (next == 'u' && i + 6 <= json.length() && needsNoEscape(json.substring(i + 2, i + 6))) {
        out.append((char) Integer.parseInt(json.substring(i + 2, i + 6), 16));
        i += 6;
      } else {
        // Copied whole, so that the second character of an escaped backslash starts nothing.
        out.append(c).append(next);
        i += 2;
      }
    }
    return out.toString();
  }

  private static boolean needsNoEscape(String hex) {
    int code = Integer.parseInt(hex, 16);
    return code >= 0x20 && code != '"' && code != '\\';
  }

}

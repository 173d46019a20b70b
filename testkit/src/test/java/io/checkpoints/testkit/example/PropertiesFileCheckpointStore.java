package io.checkpoints.testkit.example;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.UserSequences;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A complete small store: the whole state in one properties file, rewritten (to a temporary file,
 * then moved over the old one) at every commit. The example of docs/writing-a-store.md; it passes
 * the contract suite and the model-based engine.
 *
 * <p>Thread-safe: one lock serialises transactions; a nested call on the thread of an open
 * transaction joins it.
 */
public final class PropertiesFileCheckpointStore implements CheckpointStore {

  private static final System.Logger LOG = System.getLogger(PropertiesFileCheckpointStore.class.getName());
  /** Exactly one JSON value: trailing text after it makes the data malformed. */
  private static final ObjectReader JSON = new ObjectMapper().readerFor(JsonNode.class)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final List<String> CHECKPOINT_KEYS =
      List.of("target", "last_requested", "last_seen", "last_applied");

  private final Path file;
  private final ReentrantLock lock = new ReentrantLock();
  /** The open transaction of each thread: a nested call joins it. */
  private final ThreadLocal<FileTransaction> open = new ThreadLocal<>();
  private Properties committed; // guarded by lock
  private volatile boolean closed;

  private PropertiesFileCheckpointStore(Path file, Properties committed) {
    this.file = file;
    this.committed = committed;
  }

  /**
   * Opens the store on {@code file}, creating it (with a new client id) if it does not exist.
   *
   * @param file the properties file
   * @return the open store
   * @throws CheckpointStorageException if the file cannot be read or written
   */
  public static PropertiesFileCheckpointStore open(Path file) {
    Properties data = new Properties();
    try {
      if (Files.exists(file)) {
        try (Reader reader = Files.newBufferedReader(file)) {
          data.load(reader);
        }
      } else {
        data.setProperty("client_id", ClientId.random().value());
        save(file, data);
      }
    } catch (IOException e) {
      throw new CheckpointStorageException("cannot open the store file " + file, e);
    }
    return new PropertiesFileCheckpointStore(file, data);
  }

  @Override
  public <T> T inTransaction(TransactionWork<T> work) {
    FileTransaction outer = open.get();
    if (outer != null) {
      return work.run(outer); // nesting joins the outer transaction
    }
    FileTransaction tx = null;
    boolean committedNow = false;
    lock.lock();
    try {
      if (closed) {
        throw new CheckpointStateException(CheckpointStateException.Reason.STORE_CLOSED, "the store is closed");
      }
      Properties working = new Properties();
      working.putAll(committed);
      tx = new FileTransaction(working);
      open.set(tx);
      T result;
      try {
        result = work.run(tx); // whatever it throws leaves the working copy unsaved: a rollback
      } finally {
        open.remove();
      }
      try {
        save(file, working);
      } catch (IOException e) {
        throw new CheckpointStorageException("cannot write the store file " + file, e);
      }
      committed = working;
      committedNow = true;
      return result;
    } finally {
      lock.unlock();
      if (tx != null) {
        tx.complete(committedNow); // after the lock is released, as the port asks
      }
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  private static void save(Path file, Properties data) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    try (Writer writer = Files.newBufferedWriter(next)) {
      data.store(writer, "checkpoint state");
    }
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** One transaction: a working copy of the properties. Confined to its thread. */
  private static final class FileTransaction implements CheckpointTransaction {
    private final Properties data;
    private final List<CompletionCallback> callbacks = new ArrayList<>();
    private final long transactionId;

    FileTransaction(Properties data) {
      this.data = data;
      this.transactionId = number("transaction") + 1;
      data.setProperty("transaction", Long.toString(transactionId));
    }

    private long number(String key) {
      return Long.parseLong(data.getProperty(key, "0"));
    }

    private Optional<Long> optional(String key) {
      return Optional.ofNullable(data.getProperty(key)).map(Long::parseLong);
    }

    private void set(String key, long value) {
      data.setProperty(key, Long.toString(value));
    }

    void complete(boolean committed) {
      for (CompletionCallback callback : callbacks) {
        try {
          callback.completed(committed);
        } catch (RuntimeException | Error e) { // one failing callback does not stop the others
          LOG.log(System.Logger.Level.WARNING, "a completion callback failed", e);
        }
      }
    }

    @Override
    public CheckpointState state() {
      return new CheckpointState() {
        @Override public ClientId clientId() { return ClientId.of(data.getProperty("client_id")); }
        @Override public Optional<CheckpointRequestId> target() { return optional("target").map(CheckpointRequestId::of); }
        @Override public void setTarget(CheckpointRequestId id) { set("target", id.value()); }
        @Override public void deleteTarget() { data.remove("target"); }
        @Override public Optional<CheckpointRequestId> lastRequested() { return optional("last_requested").map(CheckpointRequestId::of); }
        @Override public void setLastRequested(CheckpointRequestId id) { set("last_requested", id.value()); }
        @Override public Optional<WriteCheckpoint> lastSeen() { return optional("last_seen").map(WriteCheckpoint::of); }
        @Override public void setLastSeen(WriteCheckpoint seen) { set("last_seen", seen.value()); }
        @Override public void deleteLastSeen() { data.remove("last_seen"); }
        @Override public Optional<WriteCheckpoint> lastApplied() { return optional("last_applied").map(WriteCheckpoint::of); }
        @Override public void setLastApplied(WriteCheckpoint applied) { set("last_applied", applied.value()); }
        @Override public void deleteLastApplied() { data.remove("last_applied"); }
      };
    }

    @Override
    public UploadQueue uploadQueue() {
      return new UploadQueue() {
        @Override
        public long enqueue(LocalWrite write) {
          if (!isJsonObject(write.dataJson())) {
            String shown = write.dataJson().length() <= 40 ? write.dataJson() : write.dataJson().substring(0, 40) + "...";
            throw new CheckpointArgumentException(
                "the data of a local write must be the text of a JSON object, got \"" + shown + "\" for " + write);
          }
          long sequence = number("queue.last") + 1;
          set("queue.last", sequence);
          String prefix = "write." + sequence + ".";
          set(prefix + "tx", transactionId);
          data.setProperty(prefix + "op", write.operation().name());
          data.setProperty(prefix + "table", write.table());
          data.setProperty(prefix + "row", write.rowId());
          data.setProperty(prefix + "data", write.dataJson());
          return sequence;
        }

        @Override public boolean isEmpty() { return size() == 0; }
        @Override public long size() { return sequences().size(); }
        @Override public long lastSequence() { return number("queue.last"); }

        @Override
        public void removeThrough(long sequence) {
          for (long each : sequences()) {
            if (each <= sequence) {
              data.keySet().removeIf(key -> key.toString().startsWith("write." + each + "."));
            }
          }
        }

        @Override
        public List<QueuedWrite> firstWrites(int limit) {
          if (limit < 1) {
            throw new CheckpointArgumentException("the number of queued writes to read must be at least 1, got " + limit);
          }
          List<Long> sequences = sequences();
          return sequences.subList(0, Math.min(limit, sequences.size())).stream().map(this::read).toList();
        }

        @Override
        public List<QueuedWrite> firstTransaction() {
          List<QueuedWrite> all = sequences().stream().map(this::read).toList();
          return all.stream().filter(write -> write.transactionId() == all.get(0).transactionId()).toList();
        }

        private List<Long> sequences() {
          return data.stringPropertyNames().stream().filter(key -> key.startsWith("write.") && key.endsWith(".tx"))
              .map(key -> Long.parseLong(key.substring("write.".length(), key.length() - ".tx".length())))
              .sorted().toList();
        }

        private QueuedWrite read(long sequence) {
          String prefix = "write." + sequence + ".";
          return new QueuedWrite(sequence, number(prefix + "tx"),
              LocalWrite.Operation.valueOf(data.getProperty(prefix + "op")), data.getProperty(prefix + "table"),
              data.getProperty(prefix + "row"), data.getProperty(prefix + "data"));
        }
      };
    }

    @Override
    public UserSequences userSequences() {
      return new UserSequences() {
        @Override
        public Optional<CheckpointRequestId> highest(UserKey user) {
          return optional("user." + user.hex()).map(CheckpointRequestId::of);
        }

        @Override
        public void raise(UserKey user, CheckpointRequestId id) {
          if (highest(user).map(current -> current.compareTo(id) < 0).orElse(true)) {
            set("user." + user.hex(), id.value());
          }
        }

        @Override
        public boolean reset(UserKey user) {
          return data.remove("user." + user.hex()) != null;
        }

        @Override
        public long count() {
          return data.stringPropertyNames().stream().filter(key -> key.startsWith("user.")).count();
        }
      };
    }

    @Override
    public void afterCompletion(CompletionCallback callback) {
      callbacks.add(callback);
    }

    @Override
    public void clear(ClearFlags flags) {
      CHECKPOINT_KEYS.forEach(data::remove);
      data.keySet().removeIf(key -> key.toString().startsWith("write.")); // queue.last stays
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
      return Optional.empty();
    }

    private static boolean isJsonObject(String text) {
      try {
        return JSON.readValue(text) instanceof ObjectNode; // no value at all (null) is no object either
      } catch (JacksonException e) {
        return false;
      }
    }
  }
}

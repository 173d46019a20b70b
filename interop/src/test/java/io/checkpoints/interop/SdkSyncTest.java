package io.checkpoints.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The PowerSync Kotlin SDK syncing against the simulated service and backend. */
class SdkSyncTest extends InteropTest {

  @Test
  void firstSyncDownloadsTheUsersBucketAndReportsConnectedAndSynced() {
    backend = new Backend(Duration.ZERO);
    backend.putTodo("alice", "t1", "from the server");
    backend.putTodo("bob", "b1", "not alice's");
    sdk = Sdk.open(directory, "first.db");

    sdk.connect(Connector.forUser(backend.endpoint(), "alice"));

    sdk.awaitUntil("the first sync", () -> Boolean.TRUE.equals(sdk.status().getHasSynced()));
    assertThat(sdk.status().getConnected()).isTrue();
    assertThat(sdk.title("t1")).contains("from the server");
    assertThat(sdk.count("SELECT count(*) FROM todos")).isEqualTo(1);
  }

  @Test
  void aLocalWriteIsUploadedAcknowledgedAndAppliedAsTheServersRow() {
    backend = new Backend(Duration.ZERO);
    sdk = Sdk.open(directory, "write.db");
    sdk.diagnostics = backend::describeLog;
    Connector connector = Connector.forUser(backend.endpoint(), "alice");
    sdk.connect(connector);
    sdk.awaitUntil("the first sync", () -> Boolean.TRUE.equals(sdk.status().getHasSynced()));
    sdk.awaitSettled();

    sdk.execute("INSERT INTO todos (id, title, status) VALUES (?, ?, ?)", "t1", "written here",
        "open");

    sdk.awaitUntil("the upload is applied", () -> sdk.count("SELECT count(*) FROM ps_crud") == 0
        && sdk.count("SELECT count(*) FROM ps_oplog WHERE row_id = 't1'") == 1
        && !sdk.status().getUploading());
    assertThat(connector.uploads.get()).isEqualTo(1);
    assertThat(backend.serverTitle("alice", "t1")).contains("written here");
    assertThat(sdk.title("t1")).isEqualTo(backend.serverTitle("alice", "t1"));
    assertThat(sdk.status().getUploading()).isFalse();
    assertThat(sdk.status().getHasSynced()).isTrue();
    assertThat(sdk.status().getAnyError()).isNull();
  }
}

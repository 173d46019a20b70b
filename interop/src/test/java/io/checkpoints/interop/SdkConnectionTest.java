package io.checkpoints.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The PowerSync Kotlin SDK's connection life: reconnect, clear, token expiry and refresh. */
class SdkConnectionTest extends InteropTest {

  private void syncFirstTodo(Connector connector) {
    backend.putTodo("alice", "t1", "first");
    sdk.connect(connector);
    sdk.awaitUntil("t1 arrives", () -> sdk.title("t1").equals(Optional.of("first")));
  }

  @Test
  void aReconnectResumesAfterTheLastOpItHasAndDownloadsOnlyWhatIsNew() {
    backend = new Backend(Duration.ZERO);
    sdk = Sdk.open(directory, "reconnect.db");
    Connector connector = Connector.forUser(backend.endpoint(), "alice");
    syncFirstTodo(connector);

    sdk.disconnect();
    sdk.awaitUntil("disconnected", () -> !sdk.status().getConnected());
    backend.putTodo("alice", "t2", "while away");
    long reconnectedAt = System.nanoTime();
    sdk.connect(connector);

    sdk.awaitUntil("t2 arrives", () -> sdk.title("t2").equals(Optional.of("while away")));
    assertThat(sdk.title("t1")).contains("first");
    assertThat(backend.logged("<- {\"data\":", reconnectedAt))
        .as("the data sent after the reconnect")
        .singleElement().satisfies(line -> assertThat(line.message())
            .contains("\"object_id\":\"t2\"").doesNotContain("\"object_id\":\"t1\""));
    assertThat(sdk.warnings).noneMatch(warning -> warning.contains("hecksum"));
  }

  @Test
  void disconnectAndClearEmptiesTheDatabaseAndTheNextConnectDownloadsEverythingAgain() {
    backend = new Backend(Duration.ZERO);
    sdk = Sdk.open(directory, "clear.db");
    Connector connector = Connector.forUser(backend.endpoint(), "alice");
    syncFirstTodo(connector);

    sdk.disconnectAndClear();

    assertThat(sdk.count("SELECT count(*) FROM todos")).isZero();
    assertThat(sdk.count("SELECT count(*) FROM ps_oplog")).isZero();
    sdk.connect(connector);
    sdk.awaitUntil("t1 arrives again", () -> sdk.title("t1").equals(Optional.of("first")));
  }

  @Test
  void aShortLivedTokenIsRefreshedAndTheSyncGoesOnWithTheFreshOne() {
    backend = new Backend(Duration.ZERO);
    sdk = Sdk.open(directory, "expiry.db");
    AtomicInteger issued = new AtomicInteger();
    String lasting = CheckpointHttpServer.developmentToken("alice");
    // The first token expires within two seconds; every later one lasts.
    Connector connector = new Connector(backend.endpoint(), () -> issued.getAndIncrement() == 0
        ? CheckpointHttpServer.developmentToken("alice", Instant.now().plusSeconds(2))
        : lasting, lasting);
    long connectedAt = System.nanoTime();
    syncFirstTodo(connector);

    sdk.awaitUntil("a second stream with a fresh token",
        () -> backend.logged("POST /sync/stream", connectedAt).size() >= 2);
    backend.putTodo("alice", "t2", "after the refresh");

    sdk.awaitUntil("t2 arrives", () -> sdk.title("t2").equals(Optional.of("after the refresh")));
    assertThat(connector.credentialFetches.get()).isGreaterThanOrEqualTo(2);
    assertThat(backend.logged("<- {\"token_expires_in\":", connectedAt))
        .as("the server told the SDK how long its first token had left")
        .anySatisfy(line -> assertThat(line.message()).matches(".*\"token_expires_in\":[0-2]}"));
  }
}

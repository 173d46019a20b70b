package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code serve}'s simulated backend: the upload endpoint, bucket data, and {@code --verbose}. */
@Timeout(30)
class ServeBackendCommandTest {

  private static final String ALICE = "Token " + CheckpointHttpServer.developmentToken("alice");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void anUploadComesBackInTheStreamAndVerboseLogsTheRequestAndTheLines() throws Exception {
    ServeCommand serve = new ServeCommand();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(serve);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
        () -> commandLine.execute("--port", "0", "--verbose"));
    CheckpointHttpServer server = serve.started().get(10, TimeUnit.SECONDS);
    String firstLine;
    try {
      HttpResponse<String> upload = HTTP.send(HttpRequest.newBuilder(
              server.endpoint().resolve(CheckpointHttpServer.UPLOAD_PATH))
          .header("Authorization", ALICE)
          .POST(HttpRequest.BodyPublishers.ofString("{\"operations\": [{\"op\": \"PUT\","
              + " \"type\": \"todos\", \"id\": \"t1\", \"data\": {\"title\": \"hello\"}}]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(upload.statusCode()).isEqualTo(200);

      HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(
              server.endpoint().resolve("/sync/stream"))
          .header("Authorization", ALICE)
          .POST(HttpRequest.BodyPublishers.ofString("{\"client_id\": \"c1\"}")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        firstLine = lines.readLine();
        assertThat(lines.readLine()).contains("\"object_id\":\"t1\"").contains("hello");
      }
    } finally {
      serve.stop();
    }
    assertThat(status.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(firstLine).startsWith("{\"checkpoint\":").contains("\"bucket\":\"user:alice\"");
    assertThat(out.toString()).contains("POST " + server.endpoint() + "/backend/upload");
    assertThat(err.toString()).contains("POST /backend/upload").contains("POST /sync/stream")
        .contains("stream alice <- " + firstLine);
  }

  @Test
  void aBadUploadGets400AndWithoutVerboseNothingIsLogged() throws Exception {
    ServeCommand serve = new ServeCommand();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(serve);
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    commandLine.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
        () -> commandLine.execute("--port", "0"));
    CheckpointHttpServer server = serve.started().get(10, TimeUnit.SECONDS);
    try {
      HttpResponse<String> upload = HTTP.send(HttpRequest.newBuilder(
              server.endpoint().resolve(CheckpointHttpServer.UPLOAD_PATH))
          .header("Authorization", ALICE)
          .POST(HttpRequest.BodyPublishers.ofString("{\"operations\": [{\"op\": \"UPSERT\","
              + " \"type\": \"todos\", \"id\": \"t1\", \"data\": {}}]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(upload.statusCode()).isEqualTo(400);
      assertThat(upload.body()).contains("PSYNC_S2001").contains("UPSERT");
    } finally {
      serve.stop();
    }
    assertThat(status.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(err.toString()).isEmpty();
  }
}

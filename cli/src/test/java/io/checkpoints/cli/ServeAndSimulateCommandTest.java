package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.http.HttpCheckpointTransport;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeAndSimulateCommandTest {

  private final CliHarness cli = new CliHarness();

  @Nested
  class Serve {

    @Test
    void acceptsACheckpointRequestOverHttpAndStops() throws Exception {
      ServeCommand serve = new ServeCommand();
      StringWriter out = new StringWriter();
      CommandLine commandLine = new CommandLine(serve);
      commandLine.setOut(new PrintWriter(out, true));
      CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
          () -> commandLine.execute("--port", "0", "--lag", "0s", "--retention", "5m"));
      CheckpointHttpServer server = serve.started().get(10, TimeUnit.SECONDS);
      try {
        assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
        HttpCheckpointTransport transport = HttpCheckpointTransport.builder(server.endpoint(),
            Credentials.fixed(CheckpointHttpServer.developmentToken("alice"))).build();
        CheckpointRequestId accepted = transport.postCheckpointRequest(
            new CheckpointRequest(ClientId.of("serve-test"), CheckpointRequestId.of(7)))
            .get(10, TimeUnit.SECONDS);
        assertThat(accepted).isEqualTo(CheckpointRequestId.of(7));
      } finally {
        serve.stop();
      }
      assertThat(status.get(10, TimeUnit.SECONDS)).isZero();
      assertThat(out.toString()).contains("simulated PowerSync service at " + server.endpoint())
          .contains("Authorization: Token").contains("stopped");
    }

    @Test
    void turnsNaglesAlgorithmOffUnlessTheUserChose() throws Exception {
      String given = System.getProperty(CheckpointHttpServer.NO_DELAY_PROPERTY);
      try {
        System.clearProperty(CheckpointHttpServer.NO_DELAY_PROPERTY);
        serveAndStop();
        assertThat(System.getProperty(CheckpointHttpServer.NO_DELAY_PROPERTY)).isEqualTo("true");

        System.setProperty(CheckpointHttpServer.NO_DELAY_PROPERTY, "false");
        serveAndStop();
        assertThat(System.getProperty(CheckpointHttpServer.NO_DELAY_PROPERTY)).isEqualTo("false");
      } finally {
        if (given == null) {
          System.clearProperty(CheckpointHttpServer.NO_DELAY_PROPERTY);
        } else {
          System.setProperty(CheckpointHttpServer.NO_DELAY_PROPERTY, given);
        }
      }
    }

    private void serveAndStop() throws Exception {
      ServeCommand serve = new ServeCommand();
      CommandLine commandLine = new CommandLine(serve);
      commandLine.setOut(new PrintWriter(new StringWriter(), true));
      CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
          () -> commandLine.execute("--port", "0"));
      serve.started().get(10, TimeUnit.SECONDS);
      serve.stop();
      assertThat(status.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aRequestWithoutATokenGets401() throws Exception {
      ServeCommand serve = new ServeCommand();
      CommandLine commandLine = new CommandLine(serve);
      commandLine.setOut(new PrintWriter(new StringWriter(), true));
      CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
          () -> commandLine.execute("--port", "0"));
      CheckpointHttpServer server = serve.started().get(10, TimeUnit.SECONDS);
      try {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.endpoint() + "/write-checkpoint2.json?client_id=x")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
      } finally {
        serve.stop();
      }
      assertThat(status.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aBadDurationIsAUsageError() {
      assertThat(cli.execute("serve", "--port", "0", "--lag", "soon")).isEqualTo(2);
      assertThat(cli.errText().lines()).singleElement().asString()
          .contains("not a duration: 'soon'");
    }

    @Test
    void portIsRequired() {
      assertThat(cli.execute("serve")).isEqualTo(2);
      assertThat(cli.errText()).contains("--port");
    }

    @Test
    void help() {
      assertThat(cli.execute("serve", "--help")).isZero();
      assertThat(cli.out.toString()).contains("--lag=DURATION").contains("--retention=DURATION")
          .contains("Exit status:");
    }
  }

  @Nested
  class Simulate {

    @Test
    void fiftyRunsPassWithinThirtySeconds() {
      long started = System.nanoTime();
      assertThat(cli.execute("simulate", "--seed", "1", "--runs", "50")).isZero();
      assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(30));
      assertThat(cli.outLines()).singleElement().asString()
          .startsWith("50 runs (seeds 1..50, 3 clients, up to 120 actions, user sequences on): ")
          .contains(" applies, no invariant broken, ");
      assertThat(cli.errText()).isEmpty();
    }

    @Test
    void optionsReachTheRuns() {
      assertThat(cli.execute("simulate", "--seed", "100", "--runs", "3", "--clients", "1",
          "--actions", "10", "--no-user-sequences")).isZero();
      assertThat(cli.outLines()).singleElement().asString()
          .startsWith("3 runs (seeds 100..102, 1 clients, up to 10 actions, user sequences off)");
    }

    @Test
    void zeroRunsIsAUsageError() {
      assertThat(cli.execute("simulate", "--seed", "1", "--runs", "0")).isEqualTo(2);
      assertThat(cli.errText()).startsWith("checkpoints simulate: invalid --runs: 0");
    }
  }
}

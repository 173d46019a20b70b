package io.checkpoints.interop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.powersync.PowerSyncDatabase;
import com.powersync.connectors.PowerSyncBackendConnector;
import com.powersync.connectors.PowerSyncCredentials;
import com.powersync.db.crud.CrudBatch;
import com.powersync.db.crud.CrudEntry;
import io.checkpoints.adapter.http.CheckpointHttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import kotlin.Unit;
import kotlin.coroutines.Continuation;

/**
 * An app's backend connector, as a PowerSync app writes one: credentials for the simulated
 * service, and {@code uploadData} that reads the SDK's CRUD batch and posts it to the backend's
 * upload endpoint in one JSON body. Public for the end-to-end benchmark (benchmarks module, through
 * this module's test-jar). Thread-safe: the SDK calls it from its coroutines.
 */
public final class Connector extends PowerSyncBackendConnector {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final Supplier<String> tokens;
  private final String backendToken;
  private final HttpClient http = HttpClient.newHttpClient();
  final AtomicInteger credentialFetches = new AtomicInteger();
  final AtomicInteger uploads = new AtomicInteger();

  /**
   * @param tokens gives the PowerSync token for each credentials fetch
   * @param backendToken how the app authenticates to its own backend's upload endpoint
   */
  Connector(URI endpoint, Supplier<String> tokens, String backendToken) {
    this.endpoint = endpoint;
    this.tokens = tokens;
    this.backendToken = backendToken;
  }

  /**
   * A connector whose tokens for {@code userId} never expire.
   *
   * @param endpoint the service's endpoint, whose backend takes the uploads
   * @param userId the user
   * @return the connector
   */
  public static Connector forUser(URI endpoint, String userId) {
    String token = CheckpointHttpServer.developmentToken(userId);
    return new Connector(endpoint, () -> token, token);
  }

  @Override
  public Object fetchCredentials(Continuation<? super PowerSyncCredentials> continuation) {
    credentialFetches.incrementAndGet();
    return new PowerSyncCredentials(endpoint.toString(), tokens.get(), null);
  }

  @Override
  public Object uploadData(PowerSyncDatabase database, Continuation<? super Unit> continuation) {
    CrudBatch batch = Sdk.await(next -> database.getCrudBatch(100, next));
    if (batch == null) {
      return Unit.INSTANCE;
    }
    post(body(batch));
    uploads.incrementAndGet();
    Sdk.await(next -> batch.getComplete().invoke(null, next));
    return Unit.INSTANCE;
  }

  private static String body(CrudBatch batch) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode operations = body.putArray("operations");
    for (CrudEntry entry : batch.getCrud()) {
      ObjectNode operation = operations.addObject();
      operation.put("op", entry.getOp().name());
      operation.put("type", entry.getTable());
      operation.put("id", entry.getId());
      if (entry.getOpData() != null) {
        ObjectNode data = operation.putObject("data");
        for (Map.Entry<String, String> column : entry.getOpData().entrySet()) {
          data.put(column.getKey(), column.getValue());
        }
      }
    }
    return body.toString();
  }

  private void post(String body) {
    HttpRequest request = HttpRequest.newBuilder(
            endpoint.resolve(CheckpointHttpServer.UPLOAD_PATH))
        .header("Authorization", "Token " + backendToken)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("the upload did not reach the backend", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while uploading", e);
    }
    if (response.statusCode() != 200) {
      // The SDK keeps the batch and retries it.
      throw new IllegalStateException("the backend refused the upload: " + response.statusCode()
          + " " + response.body());
    }
  }
}

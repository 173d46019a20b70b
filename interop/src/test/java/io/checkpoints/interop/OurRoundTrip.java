package io.checkpoints.interop;

import java.nio.file.Path;

/**
 * {@link RoundTrip} through our client ({@link OurClient}: our SQLite store, the client flow in
 * requests mode, the stream reader): the host inserts the row and its {@code ps_crud} entry in one
 * transaction, reads the upload batch, posts it to the backend, completes the batch (which posts
 * the checkpoint request and adopts the accepted id as the target), and waits on {@code
 * status().awaitApplied(target)}, whose future completes when a checkpoint covering the target is
 * applied. Not thread-safe.
 */
public final class OurRoundTrip implements RoundTrip {

  private final OurClient client;

  /**
   * Opens our client on {@code databaseFile}, connects it to {@code backend} and waits until the
   * initial request is answered.
   *
   * @param backend the service and backend
   * @param databaseFile the client's database file
   * @throws Exception if the client cannot connect
   */
  public OurRoundTrip(Backend backend, Path databaseFile) throws Exception {
    client = new OurClient(databaseFile, backend.endpoint(), USER);
    client.connect();
  }

  @Override
  public void run(String id) throws Exception {
    client.insertLocally(id, "title of " + id);
    client.upload();
    client.awaitSynced(DEADLINE);
  }


  @Override
  public boolean queueEmpty() {
    return client.queueEmpty();
  }

  /** Closes the client. */
  @Override
  public void close() {
    client.close();
  }
}

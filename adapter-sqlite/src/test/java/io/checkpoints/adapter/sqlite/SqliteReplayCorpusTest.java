package io.checkpoints.adapter.sqlite;

import io.checkpoints.adapter.jdbc.testing.SqlReplayCorpusContract;
import io.checkpoints.adapter.jdbc.testing.SqlStores;

/** The replay corpus on fresh SQLite database files, as in memory. */
class SqliteReplayCorpusTest extends SqlReplayCorpusContract {

  @Override
  protected SqlStores stores() {
    return SqliteStores.INSTANCE;
  }
}

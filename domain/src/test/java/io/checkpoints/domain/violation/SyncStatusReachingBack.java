package io.checkpoints.domain.violation;

import io.checkpoints.domain.SyncClient;

/** Fixture for the architecture test: a facet-like class that reaches back for the client. */
public final class SyncStatusReachingBack {
  SyncClient client;
}

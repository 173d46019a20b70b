package io.checkpoints.adapter.violation;

/** A deliberate violation for ArchitectureTest: an "adapter" class that uses the domain. */
public final class AdapterUsingTheDomain {
  /** @return a domain type */
  public static Class<?> reachIn() {
    return io.checkpoints.domain.SyncClient.class;
  }
}

package io.checkpoints.domain.violation;

/** A deliberate violation for ArchitectureTest: a "domain" class that uses a library outside ports and the JDK. */
public final class DomainClassUsingALibrary {
  /** @return a type from outside the allowed packages */
  public static Class<?> reachOut() {
    return org.assertj.core.api.Assertions.class;
  }
}

package io.checkpoints.domain.violation;

/** Fixture for the architecture test: depends on {@link CycleTwo}, which depends back on it. */
public final class CycleOne {
  CycleTwo next;
}

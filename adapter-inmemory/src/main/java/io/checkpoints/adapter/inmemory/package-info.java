/**
 * In-memory implementations of the ports: a thread-safe checkpoint store (state, upload queue and
 * per-user sequences) and a simulated PowerSync service for checkpoint requests (replication lag,
 * record expiry, fault injection) that the HTTP adapter can serve over loopback and that an
 * in-process transport reaches without sockets. Fast and exact, for property tests, simulation and
 * hosts that keep no durable state. The manual scheduler that runs the service in virtual time is
 * in {@code checkpoints-testkit-support}.
 */
package io.checkpoints.adapter.inmemory;

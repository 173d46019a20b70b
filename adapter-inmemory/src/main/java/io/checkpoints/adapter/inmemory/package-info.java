/**
 * In-memory implementations of the ports: a thread-safe checkpoint store (state, upload queue and
 * per-user sequences), a manual scheduler for virtual time, and a simulated PowerSync service for
 * checkpoint requests (replication lag, record expiry, fault injection) that the HTTP adapter can
 * serve over loopback and that an in-process transport reaches without sockets. Fast and exact,
 * for property tests, simulation and hosts that keep no durable state.
 */
package io.checkpoints.adapter.inmemory;

/**
 * In-memory implementations of the ports: a thread-safe checkpoint store (state, upload queue and
 * per-user sequences) and a manual scheduler for virtual time. Fast and exact, for property tests,
 * simulation and hosts that keep no durable state.
 */
package io.checkpoints.adapter.inmemory;

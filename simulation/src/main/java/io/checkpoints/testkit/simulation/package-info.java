/**
 * Deterministic simulation: several sync clients and one simulated PowerSync service in one
 * process and in virtual time, every actor and fault driven by one seed, with a max-write-wins
 * workload whose invariants a failing run reports as a shrunk action list.
 */
package io.checkpoints.testkit.simulation;

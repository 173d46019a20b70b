/**
 * The shared vocabulary of the checkpoint-requests library: validated value types, the port
 * interfaces that the domain talks through and adapters implement, and the unchecked exception
 * hierarchy.
 *
 * <p>This package depends on the JDK only. Every type that appears in a port signature lives
 * here, so adapters never need the domain and the domain never needs an adapter.
 */
package io.checkpoints.ports;

/**
 * Internals of the H2 adapter that must be public for H2 to reach them: the trigger that arms the
 * gate for writes entering {@code ps_crud} by SQL, and the JSON readers (Jackson) it and the dialect
 * use.
 *
 * <p>Not API: anything here may change without notice, except the trigger's class name, which
 * database files store.
 */
package io.checkpoints.adapter.h2.internal;

/**
 * Functions for {@link dev.cumulus.runtime.Training} only. They ship inside the runtime jar but are
 * never loaded from it: training copies their class files into a task root so that they go through
 * the function class loader like user code. The runtime's own loader is not a parent of that loader,
 * so no {@code _HANDLER} of a user can reach them.
 */
package dev.cumulus.runtime.training;

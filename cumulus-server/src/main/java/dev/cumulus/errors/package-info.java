/** The one exception type for refused requests, shared by every capability and mapped by the edge. */
package dev.cumulus.errors;

/**
 * HTTP routes: the API gateway in front of functions. Owns the route table per project
 * ({@code METHOD /path/{param}} to a function), its matcher (literal beats parameter beats greedy),
 * CORS, per-route throttling, the two Lambda proxy event shapes (payload format 1.0 and 2.0),
 * route auth, the public {@code /api} mount and the admin {@code /v1/routes} mount.
 */
package dev.cumulus.routes;

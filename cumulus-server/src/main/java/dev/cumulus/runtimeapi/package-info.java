/**
 * The AWS Lambda Runtime API (2018-06-01) served to instances, one Unix domain socket per
 * instance (a loopback TCP port where instances share the host's network): the endpoint an
 * instance connects through is its identity, so one instance can never
 * poll or answer another's invocations. The scheduler supplies a {@link
 * dev.cumulus.runtimeapi.RuntimeChannel} per instance; this package only speaks the protocol.
 */
package dev.cumulus.runtimeapi;

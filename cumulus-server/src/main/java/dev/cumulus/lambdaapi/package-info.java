/**
 * The AWS Lambda management and invoke API ({@code /2015-03-31/...}) over the registry, the
 * invoker and the async invoker, so the AWS SDKs and CLI work against a node unchanged: Lambda's
 * paths, JSON shapes, ARNs, runtime names and error types, authenticated with Signature
 * Version 4 against the node's access keys. docs/lambda-compatibility.md lists what differs.
 */
package dev.cumulus.lambdaapi;

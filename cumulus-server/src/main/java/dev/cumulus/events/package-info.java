/**
 * Lambda event shapes that Cumulus produces for functions: JSON documents laid out exactly as AWS
 * sends them, so that handlers written against aws-lambda-java-events bind them unchanged. This
 * package holds the S3 event notification; the event sources that deliver them live elsewhere.
 */
package dev.cumulus.events;

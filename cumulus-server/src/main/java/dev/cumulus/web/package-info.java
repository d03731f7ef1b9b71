/**
 * Jetty plumbing shared by the edge and the Runtime API: servers on virtual threads and blocking
 * helpers to read a request body and write a response, so handlers stay plain blocking code.
 */
package dev.cumulus.web;

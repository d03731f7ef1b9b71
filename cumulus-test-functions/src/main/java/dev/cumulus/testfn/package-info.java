/** Functions the server's tests deploy into real sandboxes: well-behaved ones and misbehaving ones. */
package dev.cumulus.testfn;

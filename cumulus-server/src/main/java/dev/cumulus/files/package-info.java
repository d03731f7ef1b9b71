/** Small file-system helpers the capabilities share, such as removing a directory tree. */
package dev.cumulus.files;

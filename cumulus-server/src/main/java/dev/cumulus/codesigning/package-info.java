/**
 * Code signing (issue 11, part 9): a project may accept only code packages signed by a key it
 * trusts. {@link dev.cumulus.codesigning.CodeSigning} keeps each project's policy and checks a
 * deploy's detached signature; {@link dev.cumulus.codesigning.CodeSigningMount} serves the policy.
 */
package dev.cumulus.codesigning;

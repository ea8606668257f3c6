#!/usr/bin/env bash
# Run by `npm test` (the pretest script): the remote plugin compat test makes its CA and
# certificate with the openssl CLI. Installed where we can; where we cannot, that test is skipped, saying so.
exec bash "$(dirname "$0")/ensureDebianPackage.sh" openssl 'the remote plugin compat test' openssl

#!/usr/bin/env bash
# Run by `npm test` (the pretest script): the viewer test (test/viewer/viewer.int.spec.ts) drives
# Debian's Chromium with playwright-core. Installed where we can; where we cannot, that test is skipped, saying so.
exec bash "$(dirname "$0")/ensureDebianPackage.sh" chromium 'the viewer test' chromium chromium-browser

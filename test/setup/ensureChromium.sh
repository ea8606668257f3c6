#!/usr/bin/env bash
# Run by `npm test` (the pretest script): the viewer test (test/viewer/viewer.int.spec.ts) drives
# Debian's Chromium with playwright-core. Install it where we can; where we cannot, that test is
# skipped, saying so, and the rest of the suite still runs. Never fails the run.
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 && exit 0
apt_get=()
if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); elif command -v sudo >/dev/null 2>&1; then apt_get=(sudo -n apt-get); fi
if [ ${#apt_get[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  { "${apt_get[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq chromium; } >/dev/null 2>&1 \
    || echo "test setup: could not install chromium; the viewer test will be skipped" >&2
else
  echo "test setup: chromium is not installed and apt-get is not available; the viewer test will be skipped" >&2
fi
exit 0

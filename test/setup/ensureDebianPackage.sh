#!/usr/bin/env bash
# ensureDebianPackage.sh PACKAGE "WHAT NEEDS IT" COMMAND...: install the Debian package PACKAGE
# unless one of the COMMANDs is on the PATH, where we can (root, or sudo without a password);
# where we cannot, say so: what needs it is skipped, saying so, and the rest of the suite still
# runs. Under CI=true a package it cannot install fails the run here, loudly: there the tests that
# need it would fail anyway (test/fixtures/skipUnmet.ts), after many minutes.
package=$1 needed_by=$2
shift 2
for c in "$@"; do command -v "$c" >/dev/null 2>&1 && exit 0; done
apt_get=()
if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); elif command -v sudo >/dev/null 2>&1; then apt_get=(sudo -n apt-get); fi
if [ ${#apt_get[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  log=$(mktemp)
  if { "${apt_get[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "$package"; } >"$log" 2>&1; then
    rm -f "$log"
    exit 0
  fi
  why="could not install $package ($(tail -n 3 "$log" | tr '\n' ' '))"
  rm -f "$log"
else
  why="$package is not installed and apt-get is not available"
fi
if [ "${CI:-}" = true ]; then
  echo "test setup: $why; $needed_by needs it, and under CI=true nothing is skipped" >&2
  exit 1
fi
echo "test setup: $why; $needed_by will be skipped" >&2
exit 0

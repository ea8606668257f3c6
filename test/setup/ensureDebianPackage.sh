#!/usr/bin/env bash
# ensureDebianPackage.sh PACKAGE "WHAT NEEDS IT" COMMAND...: install the Debian package PACKAGE
# unless one of the COMMANDs is on the PATH, where we can (root, or sudo without a password);
# where we cannot, say so: what needs it is skipped, saying so, and the rest of the suite still
# runs. Never fails the run.
package=$1 needed_by=$2
shift 2
for c in "$@"; do command -v "$c" >/dev/null 2>&1 && exit 0; done
apt_get=()
if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); elif command -v sudo >/dev/null 2>&1; then apt_get=(sudo -n apt-get); fi
if [ ${#apt_get[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  { "${apt_get[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "$package"; } >/dev/null 2>&1 \
    || echo "test setup: could not install $package; $needed_by will be skipped" >&2
else
  echo "test setup: $package is not installed and apt-get is not available; $needed_by will be skipped" >&2
fi
exit 0

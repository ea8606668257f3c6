#!/usr/bin/env bash
# Run by `npm test` (the pretest script): the terminal test (test/adapters/cli/terminal.int.spec.ts)
# runs the CLI in tmux. Install it where we can; where we cannot, that test is skipped, saying so,
# and the rest of the suite still runs. Never fails the run.
command -v tmux >/dev/null 2>&1 && exit 0
apt_get=()
if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); elif command -v sudo >/dev/null 2>&1; then apt_get=(sudo -n apt-get); fi
if [ ${#apt_get[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  { "${apt_get[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq tmux; } >/dev/null 2>&1 \
    || echo "test setup: could not install tmux; the terminal test will be skipped" >&2
else
  echo "test setup: tmux is not installed and apt-get is not available; the terminal test will be skipped" >&2
fi
exit 0

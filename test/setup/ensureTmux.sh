#!/usr/bin/env bash
# Run by `npm test` (the pretest script): the terminal test (test/adapters/driving/cli/terminal.int.spec.ts)
# runs the CLI in tmux. Installed where we can; where we cannot, that test is skipped, saying so.
exec bash "$(dirname "$0")/ensureDebianPackage.sh" tmux 'the terminal test' tmux

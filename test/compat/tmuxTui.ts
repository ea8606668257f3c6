// The real Codex TUI driven in tmux: started in a session of its own, its screen read as text,
// keys and pastes sent to it. The compat specs that run a TUI against `serve` share it.
import { execFileSync } from 'node:child_process';
import type { CodexCommand } from './appServer.js';

/** Waits until `holds`, polling; past `timeoutMs` fails naming `what` (a bound on a hang, never a verdict). */
export const until = async (
  what: string,
  holds: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await holds())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A shell word. */
const quoted = (w: string): string => `'${w.replaceAll("'", `'\\''`)}'`;

/** A TUI in tmux (see `tmuxTui`). */
export interface TmuxTui {
  readonly start: (args: readonly string[]) => void;
  readonly screen: () => string;
  readonly keys: (...keys: string[]) => void;
  readonly paste: (text: string) => void;
  /** Waits until the screen shows `text`; the failure quotes the screen. */
  readonly seen: (what: string, text: string | RegExp, timeoutMs?: number) => Promise<void>;
  readonly stop: () => void;
}

/** The real Codex TUI (`codex`, the binary or its launcher) in a tmux session of its own (its environment given), run in `cwd`. */
export const tmuxTui = (name: string, codex: CodexCommand, env: Record<string, string>, cwd: string): TmuxTui => {
  const screen = (): string => {
    try {
      return execFileSync('tmux', ['capture-pane', '-p', '-t', name], { encoding: 'utf8' });
    } catch {
      return ''; // the session ended (the command exited)
    }
  };
  return {
    start: (args) => {
      const command = ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), codex.file, ...codex.args, ...args]
        .map(quoted)
        .join(' ');
      execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '160', '-y', '45', '-c', cwd, command]);
    },
    screen,
    keys: (...keys) => void execFileSync('tmux', ['send-keys', '-t', name, ...keys]),
    /**
     * `text` as one bracketed paste (tmux wraps it in the paste brackets the TUI asked for): the TUI
     * takes it as a paste, whole, and an Enter after it is a submit at once; typed keys arriving in a
     * burst are taken for a paste by timing, and an Enter within 120 ms of them for a new line.
     */
    paste: (text) => {
      execFileSync('tmux', ['set-buffer', '-b', name, '--', text]);
      execFileSync('tmux', ['paste-buffer', '-p', '-d', '-b', name, '-t', name]);
    },
    seen: (what, text, timeoutMs = 30_000) =>
      until(
        `the TUI to show ${what}`,
        () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
        timeoutMs,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; the screen:\n${screen()}`);
      }),
    stop: () => {
      try {
        execFileSync('tmux', ['kill-session', '-t', name], { stdio: 'ignore' });
      } catch {
        // not running
      }
    },
  };
};

/** tmux is what drives the real TUI; without it a TUI case says so and is skipped. */
export const hasTmux = (): boolean => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

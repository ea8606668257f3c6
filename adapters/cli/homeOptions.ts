import type { Command } from 'commander';
import { resolveCodexHome, resolveIndexDir } from '../codexHome/layout.js';

/** The options every command that works on a home takes. */
export interface HomeOptions {
  readonly codexHome?: string;
  readonly indexDir?: string;
  readonly json?: boolean;
}

/** `--codex-home`, `--index-dir` and (for commands that print an answer) `--json`, declared once for every command. */
export const withHomeOptions = (cmd: Command, json = true): Command => {
  const c = cmd
    .option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME, then ~/.codex)')
    .option('--index-dir <dir>', 'index folder (default: <codex-home>/.rollout-engine/)');
  return json ? c.option('--json', 'print the answer as JSON (for a history method: exactly its JSON-RPC result)') : c;
};

/** The home and index dir the options name. */
export const homeOf = (opts: HomeOptions): { readonly codexHome: string; readonly indexDir: string } => {
  const codexHome = resolveCodexHome(opts.codexHome);
  return { codexHome, indexDir: resolveIndexDir(codexHome, opts.indexDir) };
};

/** A progress bar is drawn only for a person: on a terminal, and not when JSON is asked for. */
export const wantsProgress = (opts: HomeOptions): boolean => process.stderr.isTTY === true && opts.json !== true;

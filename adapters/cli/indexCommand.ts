import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import type { EngineError } from '../../domain/errors.js';
import { renderError } from '../../domain/errors.js';
import { openIndex } from '../indexer/openIndex.js';
import type { LmdbIndexStore } from '../lmdb/indexStore.js';
import { fileQuarantineSink } from '../jsonl/quarantine.js';
import { resolveCodexHome } from './codexHome.js';
import { lmdbDirOf, resolveIndexDir } from './indexDir.js';

/** Options every index command takes. */
export interface IndexOpts {
  codexHome?: string;
  indexDir?: string;
  json?: boolean;
}

export const addIndexOptions = (cmd: Command): Command =>
  cmd
    .option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME or ~/.codex)')
    .option('--index-dir <dir>', 'index folder (default: <codex-home>/.rollout-engine/)');

/** What a command prints: a line for people, a document for `--json`, and its exit code. */
export interface CommandOutput {
  readonly text: string;
  readonly json: unknown;
  readonly exitCode: number;
}

export const printError = (e: EngineError): void => {
  process.stderr.write(`rollout-engine: ${renderError(e)}\n`);
  process.exitCode = 1;
};

export const printOutput = (out: CommandOutput, json: boolean | undefined): void => {
  process.stdout.write(json ? `${JSON.stringify(out.json)}\n` : out.text.endsWith('\n') ? out.text : `${out.text}\n`);
  if (out.exitCode !== 0) process.exitCode = out.exitCode;
};

/**
 * Register a command that works on an open index. The index is opened as `index` opens it: its
 * schema version is checked, an older index is migrated (or rebuilt and swapped), a newer one is
 * refused with Unsupported; it is closed afterwards whatever happens.
 */
export const registerIndexCommand = (
  program: Command,
  name: string,
  description: string,
  run: (store: LmdbIndexStore, home: string, opts: IndexOpts) => Promise<E.Either<EngineError, CommandOutput>>,
): void => {
  addIndexOptions(program.command(name).description(description))
    .option('--json', 'print the report as JSON')
    .action(async (opts: IndexOpts) => {
      const home = resolveCodexHome(opts.codexHome);
      const indexDir = resolveIndexDir(home, opts.indexDir);
      const opened = await openIndex(lmdbDirOf(indexDir), home, { quarantine: fileQuarantineSink(indexDir) })();
      if (E.isLeft(opened)) return printError(opened.left);
      const store = opened.right.store;
      try {
        const out = await run(store, home, opts);
        if (E.isLeft(out)) printError(out.left);
        else printOutput(out.right, opts.json);
      } finally {
        await store.close()();
      }
    });
};

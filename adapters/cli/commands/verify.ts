import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import { renderError } from '../../../domain/errors.js';
import { openLmdbIndex } from '../../lmdb/indexStore.js';
import { repairIndex, verifyIndex } from '../../lmdb/verify.js';
import type { IndexDiff } from '../../lmdb/verify.js';
import { resolveCodexHome } from '../codexHome.js';
import { lmdbDirOf, resolveIndexDir } from '../indexDir.js';

interface Opts {
  codexHome?: string;
  indexDir?: string;
  json?: boolean;
}

const renderDiff = (d: IndexDiff): string => `  ${d.kind.padEnd(9)} ${d.table} ${JSON.stringify(d.key)}`;

const withStore = async <A>(opts: Opts, f: (store: Awaited<ReturnType<ReturnType<typeof openLmdbIndex>>> extends E.Either<unknown, infer S> ? S : never, home: string) => Promise<A>) => {
  const home = resolveCodexHome(opts.codexHome);
  const store = await openLmdbIndex(lmdbDirOf(resolveIndexDir(home, opts.indexDir)))();
  if (E.isLeft(store)) {
    process.stderr.write(`rollout-engine: ${renderError(store.left)}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    return await f(store.right, home);
  } finally {
    await store.right.close()();
  }
};

export const registerVerify = (program: Command): void => {
  program
    .command('verify')
    .description('compare the index with a fresh fold of the rollout files and list the differences (exit 3 if any)')
    .option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME or ~/.codex)')
    .option('--index-dir <dir>', 'index folder (default: <codex-home>/.rollout-engine/)')
    .option('--json', 'print the report as JSON')
    .action((opts: Opts) =>
      withStore(opts, async (store, home) => {
        const r = await verifyIndex(store, home)();
        if (E.isLeft(r)) {
          process.stderr.write(`rollout-engine: ${renderError(r.left)}\n`);
          process.exitCode = 1;
          return;
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(r.right)}\n`);
        else {
          process.stdout.write(`${r.right.rows} rows expected, ${r.right.diffs.length} differences\n`);
          for (const d of r.right.diffs) process.stdout.write(`${renderDiff(d)}\n`);
        }
        if (r.right.diffs.length > 0) process.exitCode = 3;
      }),
    );
};

export const registerRepair = (program: Command): void => {
  program
    .command('repair')
    .description('re-index the rollouts whose rows differ from a fresh fold, then verify again')
    .option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME or ~/.codex)')
    .option('--index-dir <dir>', 'index folder (default: <codex-home>/.rollout-engine/)')
    .option('--json', 'print the report as JSON')
    .action((opts: Opts) =>
      withStore(opts, async (store, home) => {
        const r = await repairIndex(store, home)();
        if (E.isLeft(r)) {
          process.stderr.write(`rollout-engine: ${renderError(r.left)}\n`);
          process.exitCode = 1;
          return;
        }
        const { before, after, rollouts } = r.right;
        if (opts.json) process.stdout.write(`${JSON.stringify({ differencesBefore: before.diffs.length, differencesAfter: after.diffs.length, rollouts })}\n`);
        else process.stdout.write(`${before.diffs.length} differences; re-indexed ${rollouts.length} rollouts; ${after.diffs.length} left\n`);
        if (after.diffs.length > 0) process.exitCode = 3;
      }),
    );
};

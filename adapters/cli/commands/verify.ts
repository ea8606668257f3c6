import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import { verifyIndex } from '../../indexer/verify.js';
import type { IndexDiff } from '../../indexer/verify.js';
import { registerIndexCommand } from '../indexCommand.js';

const renderDiff = (d: IndexDiff): string => `  ${d.kind.padEnd(9)} ${d.table} ${JSON.stringify(d.key)}`;

/** `rollout-engine verify`: the index against a fresh fold of the files (exit 3 when they differ). */
export const registerVerify = (program: Command): void =>
  registerIndexCommand(program, 'verify', 'compare the index with a fresh fold of the rollout files and list the differences (exit 3 if any)', async (store, home) => {
    const r = await verifyIndex(store, home)();
    if (E.isLeft(r)) return r;
    const text = [`${r.right.rows} rows expected, ${r.right.diffs.length} differences`, ...r.right.diffs.map(renderDiff)].join('\n');
    return E.right({ text, json: r.right, exitCode: r.right.diffs.length > 0 ? 3 : 0 });
  });

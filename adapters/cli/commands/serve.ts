import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import { openCodexHome } from '../../codexHome/openCodexHome.js';
import { serveJsonRpc } from '../../rpc/server.js';
import { ALL_METHODS } from '../../rpc/methods/all.js';
import { reportError } from '../exitCodes.js';
import { homeOf, withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { cliFeedback } from '../progress.js';

/** `rollout-engine serve`: the history API over JSON-RPC on stdio, answered from the index. */
export const registerServe = (program: Command): void => {
  withHomeOptions(
    program
      .command('serve')
      .description(
        'answer the history API (thread/list, read, turns/list, items/list) and its mutations (thread/fork, revert, rollback, review/start, thread/tokenUsage/read) over JSON-RPC on stdio',
      )
      .option('--gate-wait-ms <ms>', 'how long to wait for another process backfilling the index', (v) => Number.parseInt(v, 10)),
    false,
  ).action(async (opts: HomeOptions & { gateWaitMs?: number }) => {
    const { codexHome, indexDir } = homeOf(opts);
    // stdout is the JSON-RPC channel: status lines (the first build, long catch-ups) go to stderr only.
    const opened = await openCodexHome(codexHome, indexDir, { gateWaitMs: opts.gateWaitMs, onStatus: cliFeedback.onStatus });
    cliFeedback.settle();
    if (E.isLeft(opened)) return reportError(opened.left);
    cliFeedback.ready(`serving ${codexHome}: JSON-RPC on stdin/stdout, one message per line`);
    try {
      await serveJsonRpc(process.stdin, process.stdout, { codexHome, ports: opened.right.mutations }, ALL_METHODS);
    } finally {
      await opened.right.close();
    }
  });
};

import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { createRpcServer } from '../../rpc/server.js';
import { lineConnection } from '../../rpc/connection.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../rpc/boundedLines.js';
import type { RpcService } from '../../rpc/server.js';
import { U32 } from '../../rpc/protocol.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import { initialize } from '../../rpc/methods/initialize.js';
import type { RpcMethod } from '../../rpc/method.js';
import { reportError } from '../exitCodes.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { cliFeedback } from '../progress.js';

const Positive = t.refinement(U32, (n) => n >= 1, 'a whole number from 1 to 4294967295');

/** serve's own options, decoded like every CLI option (a wait of whole milliseconds; a message of at least 1 KiB; bounds of at least 1). */
const ServeOptions = t.partial({
  gateWaitMs: U32,
  maxRequestBytes: t.refinement(U32, (n) => n >= 1024, 'a whole number of bytes from 1024 to 4294967295'),
  maxRequestsPerConnection: Positive,
  maxQueuedPerThread: Positive,
});

const serve = async (opts: HomeOptions, serveOpts: t.TypeOf<typeof ServeOptions>): Promise<void> => {
  const { codexHome, indexDir } = homeOf(opts);
  let close = async (): Promise<void> => {};
  // `initialize` is answered before the engine is loaded and the home opened (both are done once
  // it is answered): a client's first answer does not wait for a big home's index.
  const open = async (): Promise<E.Either<EngineError, RpcService>> => {
    const [{ openCodexHome }, { ALL_METHODS }] = await Promise.all([import('../../codexHome/openCodexHome.js'), import('../../rpc/methods/all.js')]);
    // stdout is the JSON-RPC channel: status lines (the first build, long catch-ups) go to stderr only.
    // The first build runs behind the answers (a thread asked for meanwhile is indexed first); the
    // rollout folders are watched so a thread/list catches up only what changed.
    const opened = await openCodexHome(codexHome, indexDir, {
      gateWaitMs: serveOpts.gateWaitMs,
      onStatus: cliFeedback.onStatus,
      backfill: 'background',
      watch: true,
    });
    cliFeedback.settle();
    if (E.isLeft(opened)) {
      reportError(opened.left);
      return opened;
    }
    close = opened.right.close;
    cliFeedback.ready(`serving ${codexHome}: JSON-RPC on stdin/stdout, one message per line`);
    // Each request runs ahead of the build behind it: the build waits between two chunks meanwhile.
    const ahead = opened.right.aheadOfBackfill;
    const methods = ALL_METHODS.map((m): RpcMethod => ({ ...m, handle: (ctx, params) => () => ahead(m.handle(ctx, params)) }));
    return E.right({ ctx: { codexHome, ports: opened.right.mutations }, methods });
  };
  const server = createRpcServer(
    { codexHome, early: [initialize], open },
    { maxRequestsPerConnection: serveOpts.maxRequestsPerConnection, maxQueuedPerKey: serveOpts.maxQueuedPerThread },
  );
  // SIGTERM and Ctrl-C stop reading and let the requests already taken finish and be answered;
  // serve then closes its home and exits (main.ts's Ctrl-C exit would cut answers short).
  let signalled = false;
  const shutdown = (): void => {
    signalled = true;
    void server.shutdown();
  };
  process.removeAllListeners('SIGINT');
  process.once('SIGINT', shutdown).once('SIGTERM', shutdown);
  try {
    await server.serve(lineConnection(process.stdin, process.stdout, serveOpts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES));
    await server.shutdown();
  } finally {
    await close();
    // Stopped by a signal, stdin is still open: the process ends once it is let go.
    if (signalled) process.stdin.destroy();
  }
};

/** What `rollout-engine serve` does (loaded by its action only). */
export const action = (opts: HomeOptions & { gateWaitMs?: string; maxRequestBytes?: string; maxRequestsPerConnection?: string; maxQueuedPerThread?: string }) =>
  withRequest(
    opts,
    decodeRequest(
      ServeOptions,
      {
        gateWaitMs: numberOption(opts.gateWaitMs),
        maxRequestBytes: numberOption(opts.maxRequestBytes),
        maxRequestsPerConnection: numberOption(opts.maxRequestsPerConnection),
        maxQueuedPerThread: numberOption(opts.maxQueuedPerThread),
      },
      {
        gateWaitMs: '--gate-wait-ms',
        maxRequestBytes: '--max-request-bytes',
        maxRequestsPerConnection: '--max-requests-per-connection',
        maxQueuedPerThread: '--max-queued-per-thread',
      },
    ),
    (serveOpts) => serve(opts, serveOpts),
  );

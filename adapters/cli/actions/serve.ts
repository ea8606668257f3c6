import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { serveJsonRpc } from '../../rpc/server.js';
import type { RpcService } from '../../rpc/server.js';
import { U32 } from '../../rpc/protocol.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import { initialize } from '../../rpc/methods/initialize.js';
import type { RpcMethod } from '../../rpc/method.js';
import { reportError } from '../exitCodes.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { cliFeedback } from '../progress.js';

/** serve's own options, decoded like every CLI option (a wait of whole milliseconds; a message of at least 1 KiB). */
const ServeOptions = t.partial({
  gateWaitMs: U32,
  maxRequestBytes: t.refinement(U32, (n) => n >= 1024, 'a whole number of bytes from 1024 to 4294967295'),
});

const serve = async (opts: HomeOptions, serveOpts: t.TypeOf<typeof ServeOptions>): Promise<void> => {
  const { codexHome, indexDir } = homeOf(opts);
  let close = async (): Promise<void> => {};
  // `initialize` is answered before the engine is loaded and the home opened (both are done once
  // it is answered): a client's first answer does not wait for a big home's index.
  const open = async (): Promise<E.Either<EngineError, RpcService>> => {
    const [{ openCodexHome }, { ALL_METHODS }, { threadSubscriptions }] = await Promise.all([
      import('../../codexHome/openCodexHome.js'),
      import('../../rpc/methods/all.js'),
      import('../../rpc/threadSubscriptions.js'),
    ]);
    // Live notifications: the watch tells the hub of each rollout change as it comes (set once the home is open).
    let fileChanged: (path: string) => void = () => undefined;
    // stdout is the JSON-RPC channel: status lines (the first build, long catch-ups) go to stderr only.
    // The first build runs behind the answers (a thread asked for meanwhile is indexed first); the
    // rollout folders are watched so a thread/list catches up only what changed.
    const opened = await openCodexHome(codexHome, indexDir, {
      gateWaitMs: serveOpts.gateWaitMs,
      onStatus: cliFeedback.onStatus,
      backfill: 'background',
      watch: true,
      onRolloutChanged: (path) => fileChanged(path),
    });
    cliFeedback.settle();
    if (E.isLeft(opened)) {
      reportError(opened.left);
      return opened;
    }
    const ahead = opened.right.aheadOfBackfill;
    const subscriptions = threadSubscriptions(opened.right.mutations, { run: ahead });
    fileChanged = subscriptions.fileChanged;
    close = async () => {
      subscriptions.close();
      await opened.right.close();
    };
    cliFeedback.ready(`serving ${codexHome}: JSON-RPC on stdin/stdout, one message per line`);
    // Each request runs ahead of the build behind it: the build waits between two chunks meanwhile.
    const methods = ALL_METHODS.map((m): RpcMethod => ({ ...m, handle: (ctx, params) => () => ahead(m.handle(ctx, params)) }));
    return E.right({ ctx: { codexHome, ports: opened.right.mutations }, methods, subscriptions });
  };
  try {
    await serveJsonRpc(process.stdin, process.stdout, { codexHome, early: [initialize], open }, serveOpts.maxRequestBytes);
  } finally {
    await close();
  }
};

/** What `rollout-engine serve` does (loaded by its action only). */
export const action = (opts: HomeOptions & { gateWaitMs?: string; maxRequestBytes?: string }) =>
  withRequest(
    opts,
    decodeRequest(
      ServeOptions,
      { gateWaitMs: numberOption(opts.gateWaitMs), maxRequestBytes: numberOption(opts.maxRequestBytes) },
      { gateWaitMs: '--gate-wait-ms', maxRequestBytes: '--max-request-bytes' },
    ),
    (serveOpts) => serve(opts, serveOpts),
  );

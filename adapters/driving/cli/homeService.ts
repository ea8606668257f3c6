// The home `serve` serves, as the server's service: `initialize` answered early, the home opened
// once, its live notifications and remote plugin sync started with it.
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { renderError } from '../../../domain/errors.js';
import type { OpeningService, RpcService } from '../rpc/homeOpening.js';
import { initialize } from '../rpc/methods/initialize.js';
import type { ServerMetrics } from '../rpc/metrics.js';
import type { HomePluginPorts } from '../../driven/plugins/homeRemotePlugins.js';
import { reportError } from './exitCodes.js';
import type { NamedHome } from './homeOptions.js';
import { cliFeedback } from './progress.js';
import { jsonLog } from '../rpc/structuredLog.js';
import type { IndexObserver } from '../../../indexer/reads/indexObserver.js';
import type { PricingTable } from '../../../domain/tokens/pricing.js';
import type { ServeOptions } from './serveOptions.js';

/**
 * The remote plugin sync Codex's app-server runs at start (recreate a current bundle's deleted
 * sidecar, install new releases, remove stale cache roots), behind the answers; its outcome or
 * failure is logged, never fatal.
 */
const startRemotePluginSync = (plugins: () => Promise<HomePluginPorts>, serveOpts: ServeOptions): void => {
  const log = jsonLog(serveOpts.logLevel);
  void plugins()
    .then((p) => p.startupSync())
    .then((r) => {
      if (E.isLeft(r)) log.warn('remote installed plugin bundle sync failed', { error: renderError(r.left) });
      else if (r.right !== 'skipped') log.info('completed remote installed plugin bundle sync', { ...r.right });
    });
};

/**
 * The home's service: `initialize` is answered before the engine is loaded and the home opened
 * (both are done once it is answered, or at once on WebSocket): a client's first answer does not
 * wait for a big home's index. `open` runs once, whoever calls it first.
 */
export const openingService = (
  named: NamedHome,
  pricing: PricingTable,
  serveOpts: ServeOptions,
  channel: string,
  metrics: ServerMetrics | undefined,
  observer: IndexObserver,
) => {
  const { codexHome, indexDir } = named;
  let close = async (): Promise<void> => {};
  const openHome = async (): Promise<E.Either<EngineError, RpcService>> => {
    const [{ openCodexHome }, { ALL_METHODS }, { threadSubscriptions }] = await Promise.all([
      import('../composition/openCodexHome.js'),
      import('../rpc/methods/bound.js'),
      import('../rpc/threadSubscriptions.js'),
    ]);
    // Live notifications: the watch tells the hub of each rollout change as it comes (set once the home is open).
    let fileChanged: (path: string) => void = () => undefined;
    // stdout may be the JSON-RPC channel: status lines (the first build, long catch-ups) go to stderr only.
    // The first build runs behind the answers (a thread asked for meanwhile is indexed first); the
    // rollout folders are watched so a thread/list catches up only what changed.
    const homeOptions = {
      gateWaitMs: serveOpts.gateWaitMs,
      onStatus: cliFeedback.onStatus,
      backfill: 'background',
      watch: true,
      onRolloutChanged: (path: string) => fileChanged(path),
      observer,
      chatgptBaseUrl: serveOpts.chatgptBaseUrl,
    } as const;
    const eventstore = serveOpts.eventstore;
    // --eventstore: the log in EventStoreDB, this node's copy followed (caught up first) and indexed; writes go to the store.
    const opened =
      eventstore === undefined
        ? await openCodexHome(codexHome, indexDir, homeOptions)
        : await (
            await import('../composition/openEventStoreHome.js')
          ).openEventStoreHome(eventstore, codexHome, indexDir, {
            ...homeOptions,
            onFollowFailed: (error) => reportError(error),
          });
    cliFeedback.settle();
    if (E.isLeft(opened)) {
      reportError(opened.left);
      return opened;
    }
    const ahead = opened.right.aheadOfBackfill;
    const log = jsonLog(serveOpts.logLevel);
    const subscriptions = threadSubscriptions(opened.right.mutations, {
      run: ahead,
      onError: (threadId, error) => log.warn('live notifications failed', { threadId, error: renderError(error) }),
      // A follower that takes nothing while the thread grows: what waits for it grows a step a change, up to its bound.
      onPushed: (threadId) => log.info('live notifications pushed to stalled followers', { threadId }),
    });
    fileChanged = subscriptions.fileChanged;
    close = async () => {
      subscriptions.close();
      await opened.right.close();
    };
    cliFeedback.ready(`serving ${codexHome}: ${channel}`);
    startRemotePluginSync(opened.right.plugins, serveOpts);
    return E.right({
      ctx: {
        codexHome,
        ports: opened.right.mutations,
        externalAgents: opened.right.externalAgents,
        plugins: opened.right.plugins,
        pricing,
      },
      methods: ALL_METHODS,
      subscriptions,
      // Each request runs ahead of the build behind it (and, on WebSocket, is timed into the metrics).
      middleware: { aheadOfBackfill: ahead, ...(metrics === undefined ? {} : { metrics }) },
    });
  };
  let opening: ReturnType<typeof openHome> | null = null;
  const service: OpeningService = { codexHome, early: [initialize], open: () => (opening ??= openHome()) };
  return { service, close: () => close() };
};

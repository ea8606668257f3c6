import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import { take, useCase } from '../../../domain/effect.js';
import type { PluginInstallResult } from '../../../protocol/plugins.js';
import { parsePluginId } from '../../../domain/plugins/pluginId.js';
import type { RemotePluginBackend } from '../../../domain/plugins/ports.js';
import type { RemoteSyncOutcome } from '../../../domain/plugins/remoteCatalog.js';
import type { ParamsOf } from '../../../protocol/methods.js';
import { isRemotePluginId } from '../../../domain/plugins/remoteCatalog.js';
import type { RemotePluginDeps, RemotePluginInstall } from '../../../replay/plugins/installRemotePlugin.js';
import { installRemotePlugin } from '../../../replay/plugins/installRemotePlugin.js';
import { readRemotePlugin } from '../../../replay/plugins/readRemotePlugin.js';
import type { RemotePluginRead } from '../../../replay/plugins/readRemotePlugin.js';
import type { RemoteLocalVersion } from '../../../domain/plugins/remotePluginDetail.js';
import { syncRemotePlugins } from '../../../replay/plugins/syncRemotePlugins.js';
import { uninstallPlugin } from '../../../replay/plugins/uninstallPlugin.js';
import { uninstallRemotePlugin } from '../../../replay/plugins/uninstallRemotePlugin.js';
import { homePlugins } from './homePlugins.js';
import type { HomePlugins } from './homePlugins.js';
import { allowsLoopbackHttp, httpRemoteBundleFetcher } from './remoteBundleFetcher.js';
import { chatgptBaseUrlOf, httpRemotePluginBackend, readChatgptAuth } from './remotePluginBackend.js';

/** Where the plugin backend is: `chatgptBaseUrl` overrides config.toml's `chatgpt_base_url` (a CLI flag). */
export interface RemotePluginOptions {
  readonly chatgptBaseUrl?: string;
}

/** A home's remote plugin ports: the backend at its base URL with its ChatGPT login (none: `Rejected`, as Codex), bundles staged in the home. */
export const homeRemotePlugins = (
  codexHome: string,
  opts: RemotePluginOptions,
  env: NodeJS.ProcessEnv = process.env,
): TE.TaskEither<EngineError, RemotePluginDeps> =>
  useCase(async () => {
    const baseUrl = await take(chatgptBaseUrlOf(codexHome, opts.chatgptBaseUrl));
    const auth = await take(readChatgptAuth(codexHome));
    const allowLoopbackHttp = allowsLoopbackHttp(env);
    return {
      backend: httpRemotePluginBackend(baseUrl, auth),
      bundles: httpRemoteBundleFetcher(codexHome, allowLoopbackHttp),
      allowLoopbackHttp,
    };
  });

/**
 * Remote installs and syncs of one home, one at a time in this process: a sync removes the cache
 * roots its listing did not name, so an install finishing meanwhile would be removed with them
 * (Codex keeps a set of cache mutations in flight for the same reason).
 */
const queues = new Map<string, Promise<unknown>>();
const oneAtATime = <A>(codexHome: string, run: () => Promise<A>): Promise<A> => {
  const key = nodePath.resolve(codexHome);
  const next = (queues.get(key) ?? Promise.resolve()).then(run, run);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
};

/** A home's plugins, local and remote: built once per home (`openCodexHome`; the plugin commands, which open no index, build their own). */
export interface HomePluginPorts {
  /** The plugins on disk: catalog, cache, config tables and the plugins manager. */
  readonly local: HomePlugins;
  /** `plugin/install` of a remote plugin (`installPlugin.ts` routes the method's params here). */
  readonly installRemote: (p: RemotePluginInstall) => TE.TaskEither<EngineError, PluginInstallResult>;
  /** The plugin backend with the home's ChatGPT login (none: `Rejected`, in Codex's words). */
  readonly remoteBackend: TE.TaskEither<EngineError, RemotePluginBackend>;
  /** `plugin/read` of a remote plugin: its catalog entry and the account's installed state. */
  readonly readRemote: (
    p: RemotePluginRead,
    localVersion: RemoteLocalVersion,
  ) => TE.TaskEither<EngineError, { plugin: Record<string, unknown> }>;
  /**
   * `plugin/uninstall`, as Codex routes it: `<name>@<marketplace>` is a local uninstall (cache
   * root, config table; no backend), a backend id a remote one, anything else "invalid remote plugin id".
   */
  readonly uninstall: (p: ParamsOf<'plugin/uninstall'>) => TE.TaskEither<EngineError, Record<string, never>>;
  /** The remote sync of the plugin cache (`plugins sync`, and `serve` at start). */
  readonly syncRemote: TE.TaskEither<EngineError, RemoteSyncOutcome>;
  /**
   * The sync `serve` starts when it opens a home, in the background, as Codex's app-server does at
   * start: only with the plugins feature on and a ChatGPT login (without one Codex does not try,
   * and neither do we: `skipped`).
   */
  readonly startupSync: () => Promise<E.Either<EngineError, RemoteSyncOutcome | 'skipped'>>;
}

export const homePluginPorts = (
  codexHome: string,
  opts: RemotePluginOptions,
  env: NodeJS.ProcessEnv = process.env,
): HomePluginPorts => {
  const local = homePlugins(codexHome, env);
  const remoteBackend: TE.TaskEither<EngineError, RemotePluginBackend> = useCase(
    async () => (await take(homeRemotePlugins(codexHome, opts, env))).backend,
  );
  const syncRemote: TE.TaskEither<EngineError, RemoteSyncOutcome> = () =>
    oneAtATime(
      codexHome,
      useCase(async () => {
        const remote = await take(homeRemotePlugins(codexHome, opts, env));
        return take(syncRemotePlugins({ ...remote, cache: local.cache, manager: local.manager }));
      }),
    );
  return {
    local,
    installRemote: (p) => () =>
      oneAtATime(
        codexHome,
        useCase(async () => {
          const remote = await take(homeRemotePlugins(codexHome, opts, env));
          return take(installRemotePlugin({ ...remote, manager: local.manager }, p));
        }),
      ),
    remoteBackend,
    readRemote: (p, localVersion) =>
      readRemotePlugin(
        {
          featureEnabled: local.catalog.featureEnabled(),
          backend: remoteBackend,
          cachedVersion: local.cache.activeVersion,
        },
        p,
        localVersion,
      ),
    uninstall: (p) => () => {
      if (E.isRight(parsePluginId(p.pluginId)) || !isRemotePluginId(p.pluginId)) return uninstallPlugin(local, p)();
      return oneAtATime(
        codexHome,
        useCase(async () => {
          const remote = await take(homeRemotePlugins(codexHome, opts, env));
          return take(uninstallRemotePlugin({ backend: remote.backend, manager: local.manager }, p));
        }),
      );
    },
    syncRemote,
    startupSync: useCase(async () => {
      const enabled = await take(local.catalog.featureEnabled());
      // No login: nothing to sync, not a failure.
      if (!enabled || E.isLeft(await readChatgptAuth(codexHome))) return 'skipped' as const;
      return take(syncRemote);
    }),
  };
};

import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { RemoteBundleFetcher, RemotePluginBackend } from '../../domain/plugins/ports.js';
import { marketplaceOfScope, validateRemoteBundle } from '../../domain/plugins/remoteCatalog.js';
import type { PluginsManager } from './pluginsManager.js';
import { take, useCase } from '../../domain/effect.js';
import type { PluginInstallResult } from '../../protocol/plugins.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** `plugin/install`'s params routed to the backend (`installPlugin.ts`): `pluginName` is the backend's plugin id. */
export type RemotePluginInstall = ParamsOf<'plugin/install'> & { readonly remoteMarketplaceName: string };

export interface RemotePluginDeps {
  readonly backend: RemotePluginBackend;
  readonly bundles: RemoteBundleFetcher;
  /** Bundles over plain http from a loopback host (tests; Codex: debug builds with its test variable). */
  readonly allowLoopbackHttp: boolean;
}

/**
 * `plugin/install` of a remote plugin (`pluginName` the backend's plugin id), in codex 0.169.0's
 * order as seen on a local backend: the release is read with its download URL, the bundle
 * downloaded, unpacked and checked, the backend told (`POST …/ps/plugins/<id>/install`), then the
 * cache root replaced at the release version — under the marketplace of the plugin's scope,
 * whatever `remoteMarketplaceName` said (Codex takes any) — with the remote-install sidecar
 * written (0600, atomically), through the plugins manager, which reports `codex_plugin_installed`
 * with the backend's id as `plugin_id`. A failure before the cache is touched leaves it as it was.
 */
export const installRemotePlugin = (
  deps: RemotePluginDeps & { readonly manager: PluginsManager },
  { pluginName: remotePluginId }: RemotePluginInstall,
): TE.TaskEither<EngineError, PluginInstallResult> =>
  useCase(async () => {
    const detail = await take(deps.backend.pluginDetail(remotePluginId, true));
    const bundle = await take(validateRemoteBundle(detail, marketplaceOfScope(detail.scope), deps.allowLoopbackHttp));
    const staged = await take(deps.bundles.fetch(bundle));
    try {
      await take(deps.backend.install(remotePluginId));
      await take(deps.manager.installRemote(staged.root, bundle.pluginId, bundle.version, bundle.remotePluginId));
    } finally {
      await staged.dispose();
    }
    return { authPolicy: detail.authentication_policy ?? 'ON_INSTALL', appsNeedingAuth: [] };
  });

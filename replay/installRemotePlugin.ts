import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { rejected } from '../domain/errors.js';
import type { RemoteBundleFetcher, RemotePluginBackend } from '../domain/plugins/ports.js';
import { isRemoteMarketplace, marketplaceOfScope, validateRemoteBundle } from '../domain/plugins/remoteCatalog.js';
import type { PluginsManager } from './pluginsManager.js';
import { stop, take, useCase } from './internal/useCase.js';

export interface RemotePluginDeps {
  readonly backend: RemotePluginBackend;
  readonly bundles: RemoteBundleFetcher;
  /** Bundles over plain http from a loopback host (tests; Codex: debug builds with its test variable). */
  readonly allowLoopbackHttp: boolean;
}

/**
 * `plugin/install` of a remote plugin (`remoteMarketplaceName` + the backend's plugin id), as
 * Codex does it: the backend is told (`POST …/ps/plugins/<id>/install`), the release is read with
 * its download URL, the bundle downloaded, unpacked and checked, then the cache root replaced at
 * the release version with the remote-install sidecar written (0600, atomically) — through the
 * plugins manager, which reports `codex_plugin_installed` with the backend's id as `plugin_id`.
 */
export const installRemotePlugin = (
  deps: RemotePluginDeps & { readonly manager: PluginsManager },
  remoteMarketplaceName: string,
  remotePluginId: string,
): TE.TaskEither<EngineError, Record<string, unknown>> =>
  useCase(async () => {
    if (!isRemoteMarketplace(remoteMarketplaceName)) return stop(rejected(`remote marketplace \`${remoteMarketplaceName}\` is not supported`));
    await take(deps.backend.install(remotePluginId));
    const detail = await take(deps.backend.pluginDetail(remotePluginId, true));
    const actual = marketplaceOfScope(detail.scope);
    if (actual !== remoteMarketplaceName) {
      return stop(rejected(`remote plugin \`${remotePluginId}\` belongs to marketplace \`${actual}\`, not \`${remoteMarketplaceName}\``));
    }
    const bundle = await take(validateRemoteBundle(detail, actual, deps.allowLoopbackHttp));
    const staged = await take(deps.bundles.fetch(bundle));
    try {
      await take(deps.manager.installRemote(staged.root, bundle.pluginId, bundle.version, bundle.remotePluginId));
    } finally {
      await staged.dispose();
    }
    return { authPolicy: detail.authentication_policy ?? 'ON_INSTALL', appsNeedingAuth: [] };
  });

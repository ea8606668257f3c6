import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { parsePluginId } from '../../domain/plugins/pluginId.js';
import type { RemotePluginBackend } from '../../domain/plugins/ports.js';
import { marketplaceOfScope } from '../../domain/plugins/remoteCatalog.js';
import type { PluginsManager } from './pluginsManager.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/**
 * `plugin/uninstall` of a backend plugin id, as codex 0.169.0 does it (seen on a local backend):
 * the plugin is read (`GET …/ps/plugins/<id>`) for its name and scope, the backend told
 * (`POST …/ps/plugins/<id>/uninstall`, answered disabled), then its cache root (sidecar with it)
 * removed through the plugins manager, which reports `codex_plugin_uninstalled`. `pluginId` is the
 * backend's id (`homeRemotePlugins.ts` routes the method's ids as Codex does).
 */
export const uninstallRemotePlugin = (
  deps: { readonly backend: RemotePluginBackend; readonly manager: PluginsManager },
  { pluginId: remotePluginId }: ParamsOf<'plugin/uninstall'>,
): TE.TaskEither<EngineError, Record<string, never>> =>
  useCase(async () => {
    const detail = await take(deps.backend.pluginDetail(remotePluginId, false));
    const id = await take(parsePluginId(`${detail.name}@${marketplaceOfScope(detail.scope)}`));
    await take(deps.backend.uninstall(remotePluginId));
    await take(deps.manager.uninstall(id));
    return {};
  });

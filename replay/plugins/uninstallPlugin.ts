import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { PluginConfig } from '../../domain/plugins/ports.js';
import { parsePluginId, pluginKey } from '../../domain/plugins/pluginId.js';
import type { PluginsManager } from './pluginsManager.js';
import { take, takeNow, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/**
 * `plugin/uninstall` of `<name>@<marketplace>`, with Codex's effects: the cache root removed (its
 * sidecar with it) and the plugin's config.toml table dropped; a plugin not installed is no error.
 * Codex takes any other id for a remote one, which it refuses here in its words.
 */
export const uninstallPlugin = (
  deps: { readonly config: PluginConfig; readonly manager: PluginsManager },
  { pluginId }: ParamsOf<'plugin/uninstall'>,
): TE.TaskEither<EngineError, Record<string, never>> =>
  useCase(async () => {
    const id = takeNow(E.mapLeft(() => rejected('invalid remote plugin id'))(parsePluginId(pluginId)));
    await take(deps.manager.uninstall(id));
    await take(deps.config.remove(pluginKey(id)));
    return {};
  });

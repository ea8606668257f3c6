import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { PluginCache } from '../../domain/plugins/ports.js';
import { foldPluginIdentities } from '../../domain/plugins/identity.js';
import type { PluginIdentity } from '../../domain/plugins/identity.js';
import { pluginObservations } from '../internal/indexScans.js';
import { take, useCase } from '../../domain/effect.js';

/** The plugin-identity projection: the cache's sidecars and the index's plugin facts, folded. */
export const listPluginIdentities = (
  cache: PluginCache,
  store: IndexStore,
): TE.TaskEither<EngineError, PluginIdentity[]> =>
  useCase(async () => {
    const cached = await take(cache.list());
    const obs = await take(pluginObservations(store));
    return foldPluginIdentities(
      cached,
      obs.map((o) => o.observation),
    );
  });

import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { PluginCache } from '../../domain/plugins/ports.js';
import { foldPluginIdentities } from '../../domain/plugins/identity.js';
import type { PluginIdentity } from '../../domain/plugins/identity.js';
import { pluginObservations } from '../internal/indexScans.js';

/** The plugin-identity projection: the cache's sidecars and the index's plugin facts, folded. */
export const listPluginIdentities =
  (cache: PluginCache, store: IndexStore): TE.TaskEither<EngineError, PluginIdentity[]> =>
  async () => {
    const cached = await cache.list()();
    if (E.isLeft(cached)) return cached;
    const obs = await pluginObservations(store)();
    if (E.isLeft(obs)) return obs;
    return E.right(
      foldPluginIdentities(
        cached.right,
        obs.right.map((o) => o.observation),
      ),
    );
  };

import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { MarketplaceListing, PluginCatalog } from '../domain/plugins/ports.js';
import { marketplaceEntry, pluginSummary } from '../domain/plugins/marketplace.js';
import { visibleMarketplaces } from './internal/visibleMarketplaces.js';
import type { PluginListResult } from '../protocol/plugins.js';

/** `plugin/list`: every marketplace the home sees, each plugin summarised (Codex's `PluginListResponse`). */
export const listPlugins = (catalog: PluginCatalog, cwds: ReadonlyArray<string>): TE.TaskEither<EngineError, PluginListResult> =>
  TE.map(({ loaded, errors }: MarketplaceListing) => ({
    marketplaces: loaded.map(({ marketplace, states }) =>
      marketplaceEntry(
        marketplace,
        marketplace.plugins.map((p, i) => pluginSummary(marketplace, p, states[i]!)),
      ),
    ),
    marketplaceLoadErrors: errors,
    // Featured plugins come from the remote catalog: local marketplaces feature none.
    featuredPluginIds: [],
  }))(visibleMarketplaces(catalog, cwds));

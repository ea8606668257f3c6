import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { MarketplaceListing, PluginCatalog } from '../../domain/plugins/ports.js';
import { marketplaceEntry, pluginSummary } from '../../domain/plugins/marketplace.js';
import { visibleMarketplaces } from '../internal/visibleMarketplaces.js';
import type { PluginInstalledResult } from '../../protocol/plugins.js';
import type { ParamsOf } from '../../protocol/methods.js';

/**
 * `plugin/installed`: the marketplaces' installed plugins (and those named in
 * `installSuggestionPluginNames`), marketplaces left with none dropped (Codex's `PluginInstalledResponse`).
 * Null or absent `cwds` / names: none.
 */
export const listInstalledPlugins = (
  catalog: PluginCatalog,
  p: ParamsOf<'plugin/installed'>,
): TE.TaskEither<EngineError, PluginInstalledResult> => {
  const suggested = p.installSuggestionPluginNames ?? [];
  return TE.map(({ loaded, errors }: MarketplaceListing) => ({
    marketplaces: loaded.flatMap(({ marketplace, states }) => {
      const plugins = marketplace.plugins.flatMap((p, i) =>
        states[i]!.installed || suggested.includes(p.name) ? [pluginSummary(marketplace, p, states[i]!)] : [],
      );
      return plugins.length === 0 ? [] : [marketplaceEntry(marketplace, plugins)];
    }),
    marketplaceLoadErrors: errors,
  }))(visibleMarketplaces(catalog, p.cwds ?? []));
};

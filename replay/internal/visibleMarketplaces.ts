import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { MarketplaceListing, PluginCatalog } from '../../domain/plugins/ports.js';

const NONE: MarketplaceListing = { loaded: [], errors: [] };

/** The marketplaces `plugin/list` and `plugin/installed` show: none while the plugins feature is off, as Codex answers. */
export const visibleMarketplaces = (
  catalog: PluginCatalog,
  cwds: ReadonlyArray<string>,
): TE.TaskEither<EngineError, MarketplaceListing> =>
  TE.chain((on: boolean) => (on ? catalog.marketplaces(cwds) : TE.right(NONE)))(catalog.featureEnabled());

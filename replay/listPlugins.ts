import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { MarketplaceListing, PluginCatalog } from '../domain/plugins/ports.js';
import { marketplaceEntry, pluginSummary } from '../domain/plugins/marketplace.js';
import { visibleMarketplaces } from './internal/visibleMarketplaces.js';
import { stop, take, useCase } from './internal/useCase.js';

/** Codex 0.169.0's `PluginListMarketplaceKind`. */
export type MarketplaceKind = 'local' | 'vertical' | 'workspace-directory' | 'shared-with-me' | 'created-by-me-remote';

export interface PluginListRequest {
  readonly cwds: ReadonlyArray<string>;
  /** The kinds asked; null: Codex's default (the local marketplaces, and the remote catalog where that feature is on). */
  readonly kinds: ReadonlyArray<MarketplaceKind> | null;
}

/** No marketplace: what is listed of the local ones when the kinds asked leave `local` out. */
const NOTHING: MarketplaceListing = { loaded: [], errors: [] };

/**
 * The remote catalog a list of kinds needs a ChatGPT login for, named as Codex names it in its
 * refusal (measured without a login: `vertical` is the OpenAI Curated catalog, which Codex reads
 * only with its remote_plugin feature off, and asks first; `created-by-me-remote` only with it on).
 */
const remoteCatalogOf = (kinds: ReadonlyArray<MarketplaceKind>, remoteFeature: boolean): string | null => {
  const workspace = kinds.includes('workspace-directory') || kinds.includes('shared-with-me') || (remoteFeature && kinds.includes('created-by-me-remote'));
  if (!remoteFeature && kinds.includes('vertical')) return 'OpenAI Curated remote plugin catalog';
  return workspace ? 'remote plugin catalog' : null;
};

/**
 * `plugin/list`: every local marketplace the home sees, each plugin summarised (Codex's
 * `PluginListResponse`), unless the kinds asked leave `local` out (Codex then lists none of them,
 * nor their load errors). Remote kinds need the home's ChatGPT login (`login`): without one they
 * are refused as Codex refuses them; with one, their catalogs are not fetched here (not yet:
 * docs/compatibility.md).
 */
export const listPlugins = (
  catalog: PluginCatalog,
  req: PluginListRequest,
  login: TE.TaskEither<EngineError, unknown>,
): TE.TaskEither<EngineError, Record<string, unknown>> =>
  useCase(async () => {
    // With plugins off Codex lists nothing and asks no catalog.
    if (req.kinds !== null && (await take(catalog.featureEnabled()))) {
      const remote = remoteCatalogOf(req.kinds, await take(catalog.remoteFeatureEnabled()));
      if (remote !== null) {
        const signedIn = await login();
        if (E.isLeft(signedIn)) return stop(signedIn.left._tag === 'Rejected' ? { ...signedIn.left, reason: `list ${remote}: ${signedIn.left.reason}` } : signedIn.left);
      }
    }
    const { loaded, errors } = await take(req.kinds === null || req.kinds.includes('local') ? visibleMarketplaces(catalog, req.cwds) : TE.right(NOTHING));
    return {
      marketplaces: loaded.map(({ marketplace, states }) =>
        marketplaceEntry(
          marketplace,
          marketplace.plugins.map((p, i) => pluginSummary(marketplace, p, states[i]!)),
        ),
      ),
      marketplaceLoadErrors: errors,
      // Featured plugins come from the remote catalog: local marketplaces feature none.
      featuredPluginIds: [],
    };
  });

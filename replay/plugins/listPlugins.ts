import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type * as t from 'io-ts';
import type { PluginListMarketplaceKind, PluginListResult, RemoteMarketplaceEntry } from '../../protocol/plugins.js';
import type { EngineError } from '../../domain/errors.js';
import type { MarketplaceListing, PluginCatalog, RemotePluginBackend } from '../../domain/plugins/ports.js';
import type { RemoteCatalog } from '../../domain/plugins/remoteCatalog.js';
import { catalogErrorIn, REMOTE_CATALOGS, REMOTE_GLOBAL_MARKETPLACE_NAME } from '../../domain/plugins/remoteCatalog.js';
import { remotePluginSummaryOf } from '../../domain/plugins/remotePluginDetail.js';
import type { RemoteLocalVersion } from '../../domain/plugins/remotePluginDetail.js';
import { withLocalVersion } from '../internal/remoteLocalVersion.js';
import type { CachedVersion } from '../internal/remoteLocalVersion.js';
import { marketplaceEntry, pluginSummary } from '../../domain/plugins/marketplace.js';
import type { PluginMarketplaceEntry } from '../../domain/plugins/marketplace.js';
import { visibleMarketplaces } from '../internal/visibleMarketplaces.js';
import { stop, take, takeNow, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** Codex 0.169.0's `PluginListMarketplaceKind`. */
type MarketplaceKind = t.TypeOf<typeof PluginListMarketplaceKind>;

/** What `plugin/list` runs on: the local marketplaces' catalog, and the plugin backend with the home's ChatGPT login (`homeRemotePlugins.ts`). */
export interface PluginListDeps {
  readonly local: { readonly catalog: PluginCatalog; readonly cache: { readonly activeVersion: CachedVersion } };
  readonly remoteBackend: TE.TaskEither<EngineError, RemotePluginBackend>;
}

/** No marketplace: what is listed of the local ones when the kinds asked leave `local` out. */
const NOTHING: MarketplaceListing = { loaded: [], errors: [] };

/** The remote catalogs a `plugin/list` lists (measured on 0.169.0): for the default kinds, the curated one while the remote_plugin feature is on; for kinds asked, `vertical` (the curated collection) only while it is off, `created-by-me-remote` only while it is on. */
const remoteCatalogsOf = (kinds: ReadonlyArray<MarketplaceKind> | null, remoteFeature: boolean): RemoteCatalog[] => {
  if (kinds === null) return remoteFeature ? [REMOTE_CATALOGS.curated(null)] : [];
  return [
    ...(!remoteFeature && kinds.includes('vertical') ? [REMOTE_CATALOGS.curated('vertical')] : []),
    ...(kinds.includes('workspace-directory') ? [REMOTE_CATALOGS.workspace] : []),
    ...(kinds.includes('shared-with-me') ? [REMOTE_CATALOGS.shared] : []),
    ...(remoteFeature && kinds.includes('created-by-me-remote') ? [REMOTE_CATALOGS.createdByMe] : []),
  ];
};

/** One remote catalog as a marketplace entry: its entries in the catalog's order, each with the account's installed state. */
const remoteMarketplace = (
  backend: RemotePluginBackend,
  catalog: RemoteCatalog,
  localVersion: RemoteLocalVersion,
  cachedVersion: CachedVersion,
): Promise<E.Either<EngineError, RemoteMarketplaceEntry | null>> =>
  useCase(async () => {
    const installed = await take(backend.installedPlugins(false, catalog.installedScope));
    const items = await take(backend.catalog(catalog));
    const plugins: Array<Record<string, unknown>> = [];
    for (const item of items) {
      const s = takeNow(
        remotePluginSummaryOf(
          item,
          installed.find((p) => p.id === item.id),
        ),
      );
      plugins.push(await take(withLocalVersion(s.summary, localVersion, cachedVersion)));
    }
    // A catalog without entries is no marketplace (measured: created-by-me with none).
    return plugins.length === 0
      ? null
      : { name: catalog.name, path: null, interface: { displayName: catalog.displayName }, plugins };
  })();

/**
 * `plugin/list`: every local marketplace the home sees, each plugin summarised (Codex's
 * `PluginListResponse`), unless the kinds asked leave `local` out (Codex then lists none of them,
 * nor their load errors); then the remote catalogs the kinds (or, by default, the remote_plugin
 * feature) name, read from the backend with the home's ChatGPT login, and the featured
 * ids when the curated catalog is listed. A catalog the kinds asked for that cannot be read is
 * refused in Codex's words; the default one is left out, as Codex leaves it out. Nothing is cached:
 * every list reads the backend afresh, which is what `forceRefetch` asks of Codex's cache. Null
 * or absent `cwds`: none; `marketplaceKinds`: Codex's default (the local marketplaces, and the
 * remote catalog where that feature is on).
 */
export const listPlugins = (
  deps: PluginListDeps,
  p: ParamsOf<'plugin/list'>,
  localVersion: RemoteLocalVersion = 'accountRelease',
): TE.TaskEither<EngineError, PluginListResult> =>
  useCase(async () => {
    const { catalog } = deps.local;
    const req = { cwds: p.cwds ?? [], kinds: p.marketplaceKinds ?? null };
    // With plugins off Codex lists nothing and asks no catalog.
    const on = await take(catalog.featureEnabled());
    const { loaded, errors } = await take(
      req.kinds === null || req.kinds.includes('local') ? visibleMarketplaces(catalog, req.cwds) : TE.right(NOTHING),
    );
    const marketplaces: Array<PluginMarketplaceEntry | RemoteMarketplaceEntry> = loaded.map(({ marketplace, states }) =>
      marketplaceEntry(
        marketplace,
        marketplace.plugins.map((p, i) => pluginSummary(marketplace, p, states[i]!)),
      ),
    );
    const strict = req.kinds !== null;
    let featuredPluginIds: ReadonlyArray<string> = [];
    for (const c of on ? remoteCatalogsOf(req.kinds, await take(catalog.remoteFeatureEnabled())) : []) {
      const backend = await deps.remoteBackend();
      const entry = E.isLeft(backend)
        ? backend
        : await remoteMarketplace(backend.right, c, localVersion, deps.local.cache.activeVersion);
      if (E.isLeft(entry)) {
        if (strict) return stop(catalogErrorIn(c.context, entry.left));
        continue;
      }
      const listed = entry.right;
      if (listed !== null) {
        const at = marketplaces.findIndex((m) => m.name === listed.name);
        if (at >= 0) marketplaces[at] = listed;
        else marketplaces.push(listed);
      }
      if (listed !== null && c.name === REMOTE_GLOBAL_MARKETPLACE_NAME && E.isRight(backend)) {
        // Featured ids are best effort in Codex: a failure lists none.
        const featured = await backend.right.featured()();
        featuredPluginIds = E.isRight(featured) ? featured.right : [];
      }
    }
    return { marketplaces, marketplaceLoadErrors: errors, featuredPluginIds };
  });

import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { PluginCatalog } from '../../domain/plugins/ports.js';
import { pluginDetail } from '../../domain/plugins/marketplace.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf, ResultOf } from '../../protocol/methods.js';
import type { RemotePluginRead } from './readRemotePlugin.js';
import type { RemoteLocalVersion } from '../../domain/plugins/remotePluginDetail.js';

/** What `plugin/read` runs on: the local marketplaces' catalog, and the remote read (`readRemotePlugin.ts`) with the home's backend. */
export interface PluginReadDeps {
  readonly local: { readonly catalog: PluginCatalog };
  readonly readRemote: (
    p: RemotePluginRead,
    localVersion: RemoteLocalVersion,
  ) => TE.TaskEither<EngineError, ResultOf<'plugin/read'>>;
}

/**
 * `plugin/read`: one plugin of a local marketplace file (`marketplacePath`), or of a remote catalog
 * (`remoteMarketplaceName`, `pluginName` the backend's id), in detail (Codex's `PluginReadResponse`);
 * exactly one of the two is taken.
 */
export const readPlugin = (
  deps: PluginReadDeps,
  p: ParamsOf<'plugin/read'>,
  localVersion: RemoteLocalVersion = 'accountRelease',
): TE.TaskEither<EngineError, ResultOf<'plugin/read'>> =>
  useCase(async () => {
    const { pluginName } = p;
    const marketplacePath = p.marketplacePath ?? null;
    const remoteMarketplaceName = p.remoteMarketplaceName ?? null;
    if ((marketplacePath === null) === (remoteMarketplaceName === null))
      return stop(rejected('plugin/read requires exactly one of marketplacePath or remoteMarketplaceName'));
    if (remoteMarketplaceName !== null) return take(deps.readRemote({ ...p, remoteMarketplaceName }, localVersion));
    const { catalog } = deps.local;
    if (!(await take(catalog.featureEnabled()))) return stop(rejected('plugins feature is disabled'));
    const { marketplace, states } = await take(catalog.marketplace(marketplacePath!));
    const i = marketplace.plugins.findIndex((e) => e.name === pluginName);
    if (i < 0) return stop(rejected(`plugin \`${pluginName}\` was not found in marketplace \`${marketplace.name}\``));
    const entry = marketplace.plugins[i]!;
    const bundle = await take(catalog.bundle(entry.sourcePath));
    return { plugin: pluginDetail(marketplace, entry, states[i]!, bundle) };
  });

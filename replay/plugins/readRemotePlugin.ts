import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { RemotePluginBackend } from '../../domain/plugins/ports.js';
import { catalogErrorIn, isRemotePluginId } from '../../domain/plugins/remoteCatalog.js';
import { remotePluginDetailOf } from '../../domain/plugins/remotePluginDetail.js';
import type { RemoteLocalVersion } from '../../domain/plugins/remotePluginDetail.js';
import { withLocalVersion } from '../internal/remoteLocalVersion.js';
import type { CachedVersion } from '../internal/remoteLocalVersion.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** `plugin/read`'s params routed to the backend (`readPlugin.ts`): `pluginName` is the backend's plugin id. */
export type RemotePluginRead = ParamsOf<'plugin/read'> & { readonly remoteMarketplaceName: string };

export interface RemotePluginReadDeps {
  /** `[features] plugins` of config.toml. */
  readonly featureEnabled: TE.TaskEither<EngineError, boolean>;
  /** The backend with the home's ChatGPT login (none: `Rejected`, in Codex's words). */
  readonly backend: TE.TaskEither<EngineError, RemotePluginBackend>;
  /** The home's plugin cache: the active version of a plugin's bundle there, null without one. */
  readonly cachedVersion: CachedVersion;
}

/** Codex's context for every failure of the catalog during a read. */
const CONTEXT = 'read remote plugin details';
const inContext = (e: EngineError): EngineError => catalogErrorIn(CONTEXT, e);

const inContextOf = async <A>(run: TE.TaskEither<EngineError, A>): Promise<E.Either<EngineError, A>> =>
  E.mapLeft(inContext)(await run());

/**
 * `plugin/read` of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id), in
 * codex 0.169.0's order as seen on a local backend: the id is checked, the catalog entry read
 * (`GET …/ps/plugins/<id>`), then the account's installed plugins of its scope
 * (`…/installed?scope=<scope>&limit=200`) for its installed and enabled state and local version.
 * The marketplace answered is the entry's (Codex takes any `remoteMarketplaceName`).
 * `localVersion`: where the summary's `localVersion` comes from, by the asking Codex version.
 */
export const readRemotePlugin = (
  deps: RemotePluginReadDeps,
  { remoteMarketplaceName, pluginName }: RemotePluginRead,
  localVersion: RemoteLocalVersion = 'accountRelease',
): TE.TaskEither<EngineError, { plugin: Record<string, unknown> }> =>
  useCase(async () => {
    if (!(await take(deps.featureEnabled)))
      return stop(rejected(`remote plugin read is not enabled for marketplace ${remoteMarketplaceName}`));
    if (!isRemotePluginId(pluginName))
      return stop(rejected('invalid remote plugin id: only ASCII letters, digits, `_`, `-`, and `~` are allowed'));
    const backend = await take(inContextOf(deps.backend));
    const item = await take(inContextOf(backend.pluginDetail(pluginName, false)));
    const installed = (await take(inContextOf(backend.installedPlugins(false, item.scope)))).find(
      (p) => p.id === pluginName,
    );
    const detail = await take(E.mapLeft(inContext)(remotePluginDetailOf(item, installed)));
    const summary = await take(
      withLocalVersion(detail.plugin['summary'] as Record<string, unknown>, localVersion, deps.cachedVersion),
    );
    return { plugin: { ...detail.plugin, summary } };
  });

import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { parsePluginId } from '../../domain/plugins/pluginId.js';
import type { PluginId } from '../../domain/plugins/pluginId.js';
import type { RemoteLocalVersion } from '../../domain/plugins/remotePluginDetail.js';

/** The home's plugin cache as a remote plugin's summary reads it: the active version of a plugin's bundle there, null without one. */
export type CachedVersion = (id: PluginId) => TE.TaskEither<EngineError, string | null>;

/**
 * A remote plugin's summary with its `localVersion` from where the asking Codex version takes it
 * (`remoteLocalVersionAt`, protocol/plugins.ts): as summarised (the account's installed release),
 * or the version of its bundle in the home's cache under its id (`<name>@<marketplace>`), null
 * without one. `plugin/read` and `plugin/list` alike.
 */
export const withLocalVersion = async (
  summary: Record<string, unknown>,
  from: RemoteLocalVersion,
  cachedVersion: CachedVersion,
): Promise<E.Either<EngineError, Record<string, unknown>>> => {
  if (from === 'accountRelease') return E.right(summary);
  const id = parsePluginId(String(summary['id']));
  // An id the cache cannot name has no bundle there.
  const cached = E.isRight(id) ? await cachedVersion(id.right)() : E.right(null);
  return E.map((localVersion: string | null) => ({ ...summary, localVersion }))(cached);
};

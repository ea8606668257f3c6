import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { take, useCase } from '../../domain/effect.js';
import type { EngineError } from '../../domain/errors.js';
import type { PluginId } from '../../domain/plugins/pluginId.js';
import type { PluginCache, StagedBundle } from '../../domain/plugins/ports.js';
import type { PluginCapabilitySummary, PluginTelemetryMetadata } from '../../domain/plugins/telemetry.js';
import { telemetryMetadata } from '../../domain/plugins/telemetry.js';
import type { AnalyticsEvent } from '../../domain/analytics/event.js';
import type { AnalyticsSink } from '../../domain/analytics/ports.js';
import { pluginStateEvent, pluginUsedEvent } from '../../domain/analytics/pluginEvents.js';
import type { PluginState, TurnTracking } from '../../domain/analytics/pluginEvents.js';

export interface PluginsManagerDeps {
  readonly cache: PluginCache;
  /** Live analytics destination; null: lifecycle operations report nothing. */
  readonly sink: AnalyticsSink | null;
  readonly productClientId: string | null;
}

export type SyncOutcome = 'installed' | 'backfilled' | 'current';

export interface PluginsManager {
  /**
   * The telemetry metadata of a plugin: the one place it is built, for every analytics path, with
   * the capability summary of its installed bundle (`PluginCache.capabilitySummary`). As in Codex
   * (`plugin_telemetry_metadata_from_root` sets `remote_plugin_id: None`), normal metadata has no
   * remote override: only a caller holding the backend's authoritative id (remote install, or a
   * reconstruction of one from its sidecar) passes it, and the serializer then reports it as
   * `plugin_id`. The sidecar is never read here.
   */
  readonly telemetryMetadata: (
    id: PluginId,
    opts?: { readonly remotePluginId?: string | null; readonly capabilitySummary?: PluginCapabilitySummary | null },
  ) => TE.TaskEither<EngineError, PluginTelemetryMetadata>;
  readonly stateEvent: (
    state: PluginState,
    id: PluginId,
    opts?: { readonly remotePluginId?: string | null },
  ) => TE.TaskEither<EngineError, AnalyticsEvent>;
  readonly usedEvent: (id: PluginId, tracking: TurnTracking) => TE.TaskEither<EngineError, AnalyticsEvent>;
  /** Install from a local source: replaces the cache root, so a remote sidecar is cleared. */
  readonly installLocal: (
    sourceDir: string,
    id: PluginId,
    version: string,
  ) => TE.TaskEither<EngineError, PluginTelemetryMetadata>;
  /** Install from the remote catalog: the backend's id is written to the sidecar and reported. */
  readonly installRemote: (
    sourceDir: string,
    id: PluginId,
    version: string,
    remotePluginId: string,
  ) => TE.TaskEither<EngineError, PluginTelemetryMetadata>;
  /**
   * Remote sync of one plugin: a cached bundle already at `version` is kept and its sidecar
   * backfilled (written if missing or different); otherwise the bundle is fetched (`source`, only
   * then) and installed with its sidecar. As Codex's startup sync (`sync_remote_installed_plugin_bundles_once`
   * installs through the store), a sync reports no analytics event.
   */
  readonly syncRemote: (
    id: PluginId,
    version: string,
    remotePluginId: string,
    source: () => TE.TaskEither<EngineError, StagedBundle>,
  ) => TE.TaskEither<EngineError, SyncOutcome>;
  /** Remove the cache root (sidecar included); reported with the identity it had. */
  readonly uninstall: (id: PluginId) => TE.TaskEither<EngineError, PluginTelemetryMetadata>;
}

export const pluginsManager = (deps: PluginsManagerDeps): PluginsManager => {
  const { cache } = deps;
  const metadata: PluginsManager['telemetryMetadata'] = (id, opts = {}) =>
    useCase(async () => {
      const summary =
        opts.capabilitySummary !== undefined ? opts.capabilitySummary : await take(cache.capabilitySummary(id));
      return telemetryMetadata({
        pluginId: id,
        remotePluginId: opts.remotePluginId ?? null,
        capabilitySummary: summary,
      });
    });
  const report = (
    state: PluginState,
    m: PluginTelemetryMetadata,
  ): TE.TaskEither<EngineError, PluginTelemetryMetadata> =>
    deps.sink === null
      ? TE.right(m)
      : TE.map(() => m)(deps.sink.deliver({ events: [pluginStateEvent(state, m, deps.productClientId)] }));
  const installRemote: PluginsManager['installRemote'] = (sourceDir, id, version, remotePluginId) =>
    TE.chain(() =>
      TE.chain(() =>
        TE.chain((m: PluginTelemetryMetadata) => report('installed', m))(metadata(id, { remotePluginId })),
      )(cache.writeRemoteId(id, remotePluginId)),
    )(cache.install(sourceDir, id, version));
  return {
    telemetryMetadata: metadata,
    stateEvent: (state, id, opts = {}) =>
      TE.map((m: PluginTelemetryMetadata) => pluginStateEvent(state, m, deps.productClientId))(metadata(id, opts)),
    usedEvent: (id, tracking) =>
      TE.map((m: PluginTelemetryMetadata) => pluginUsedEvent(m, tracking, deps.productClientId))(metadata(id)),
    installLocal: (sourceDir, id, version) =>
      TE.chain(() =>
        TE.chain((m: PluginTelemetryMetadata) => report('installed', m))(metadata(id, { remotePluginId: null })),
      )(cache.install(sourceDir, id, version)),
    installRemote,
    syncRemote: (id, version, remotePluginId, source) =>
      useCase(async () => {
        if ((await take(cache.activeVersion(id))) !== version) {
          const staged = await take(source());
          try {
            await take(
              TE.chain(() => cache.writeRemoteId(id, remotePluginId))(cache.install(staged.root, id, version)),
            );
            return 'installed' as const;
          } finally {
            await staged.dispose();
          }
        }
        const current = await cache.readRemoteId(id)();
        // A sidecar we cannot read (unknown schema, corrupt) is replaced by the backend's answer.
        if (E.isRight(current) && current.right === remotePluginId.trim()) return 'current' as const;
        await take(cache.writeRemoteId(id, remotePluginId));
        return 'backfilled' as const;
      }),
    uninstall: (id) =>
      TE.chain((m: PluginTelemetryMetadata) => TE.chain(() => report('uninstalled', m))(cache.uninstall(id)))(
        metadata(id),
      ),
  };
};

import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { renderError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { TurnRow } from '../../domain/index/rows.js';
import type { PluginCache } from '../../domain/plugins/ports.js';
import { parsePluginId, pluginKey } from '../../domain/plugins/pluginId.js';
import type { PluginTelemetryMetadata } from '../../domain/plugins/telemetry.js';
import { selectResponses } from '../../domain/tokens/selectResponses.js';
import type { AnalyticsEvent } from '../../domain/analytics/event.js';
import { reconstructAnalyticsEvents } from '../../domain/analytics/reconstruct.js';
import type { PluginsManager } from '../plugins/pluginsManager.js';
import { pluginObservations, storedResponses, toolItemRows } from '../internal/indexScans.js';

export interface ReconstructedAnalytics {
  readonly events: ReadonlyArray<AnalyticsEvent>;
  /** Plugins whose sidecar could not be read: reported without a remote id. */
  readonly pluginProblems: ReadonlyArray<string>;
}

/**
 * Analytics events of a CODEX_HOME from its (caught-up) index and plugin cache. Plugin telemetry
 * metadata comes from the plugins manager, the one place it is built.
 */
export const reconstructAnalytics =
  (
    store: IndexStore,
    cache: PluginCache,
    manager: PluginsManager,
  ): TE.TaskEither<EngineError, ReconstructedAnalytics> =>
  async () => {
    const rollouts = await store.range('rollouts', [])();
    if (E.isLeft(rollouts)) return rollouts;
    const turnRows = await store.range('turns', [])();
    if (E.isLeft(turnRows)) return turnRows;
    const stored = await storedResponses(store)();
    if (E.isLeft(stored)) return stored;
    const observations = await pluginObservations(store)();
    if (E.isLeft(observations)) return observations;
    const tools = await toolItemRows(store)();
    if (E.isLeft(tools)) return tools;
    const cached = await cache.list()();
    if (E.isLeft(cached)) return cached;
    const turns = new Map<string, TurnRow[]>();
    for (const r of turnRows.right) {
      const list = turns.get(r.key[0]) ?? [];
      list.push(r.value);
      turns.set(r.key[0], list);
    }
    const problems: string[] = [];
    const metadataOf = async (
      key: string,
      remotePluginId?: string | null,
    ): Promise<PluginTelemetryMetadata | undefined> => {
      const id = parsePluginId(key);
      if (E.isLeft(id)) {
        problems.push(`${key}: ${renderError(id.left)}`);
        return undefined;
      }
      const m = await manager.telemetryMetadata(id.right, remotePluginId === undefined ? {} : { remotePluginId })();
      if (E.isRight(m)) return m.right;
      problems.push(`${key}: ${renderError(m.left)}`);
      const bare = await manager.telemetryMetadata(id.right, { remotePluginId: null })();
      return E.isRight(bare) ? bare.right : undefined;
    };
    const installed: PluginTelemetryMetadata[] = [];
    for (const c of cached.right) {
      if (c.activeVersion === null) continue;
      if (c.sidecarError !== null) problems.push(`${pluginKey(c.pluginId)}: ${renderError(c.sidecarError)}`);
      const m = await metadataOf(pluginKey(c.pluginId), c.remotePluginId);
      if (m) installed.push(m);
    }
    const pluginMetadata = new Map<string, PluginTelemetryMetadata>();
    for (const key of [...new Set(observations.right.map((o) => o.observation.pluginKey))].sort()) {
      const m = await metadataOf(key);
      if (m) pluginMetadata.set(key, m);
    }
    const events = reconstructAnalyticsEvents({
      rollouts: rollouts.right.map((r) => r.value),
      turns,
      responses: selectResponses(stored.right).counted,
      pluginObservations: observations.right,
      installedPlugins: installed,
      pluginMetadata,
      toolItems: tools.right,
    });
    return E.right({ events, pluginProblems: [...new Set(problems)].sort() });
  };

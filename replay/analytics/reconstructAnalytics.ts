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
import { take, useCase } from '../../domain/effect.js';

export interface ReconstructedAnalytics {
  readonly events: ReadonlyArray<AnalyticsEvent>;
  /** Plugins whose sidecar could not be read: reported without a remote id. */
  readonly pluginProblems: ReadonlyArray<string>;
}

/**
 * Analytics events of a CODEX_HOME from its (caught-up) index and plugin cache. Plugin telemetry
 * metadata comes from the plugins manager, the one place it is built.
 */
export const reconstructAnalytics = (
  store: IndexStore,
  cache: PluginCache,
  manager: PluginsManager,
): TE.TaskEither<EngineError, ReconstructedAnalytics> =>
  useCase(async () => {
    const rollouts = await take(store.range('rollouts', []));
    const turnRows = await take(store.range('turns', []));
    const stored = await take(storedResponses(store));
    const observations = await take(pluginObservations(store));
    const tools = await take(toolItemRows(store));
    const cached = await take(cache.list());
    const turns = new Map<string, TurnRow[]>();
    for (const r of turnRows) {
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
    for (const c of cached) {
      if (c.activeVersion === null) continue;
      if (c.sidecarError !== null) problems.push(`${pluginKey(c.pluginId)}: ${renderError(c.sidecarError)}`);
      const m = await metadataOf(pluginKey(c.pluginId), c.remotePluginId);
      if (m) installed.push(m);
    }
    const pluginMetadata = new Map<string, PluginTelemetryMetadata>();
    for (const key of [...new Set(observations.map((o) => o.observation.pluginKey))].sort()) {
      const m = await metadataOf(key);
      if (m) pluginMetadata.set(key, m);
    }
    const events = reconstructAnalyticsEvents({
      rollouts: rollouts.map((r) => r.value),
      turns,
      responses: selectResponses(stored).counted,
      pluginObservations: observations,
      installedPlugins: installed,
      pluginMetadata,
      toolItems: tools,
    });
    return { events, pluginProblems: [...new Set(problems)].sort() };
  });

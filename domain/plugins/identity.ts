import type { EngineError } from '../errors.js';
import { renderError } from '../errors.js';
import { parsePluginId, pluginKey } from './pluginId.js';
import * as E from 'fp-ts/lib/Either.js';
import type { CachedPlugin } from './ports.js';
import type { PluginObservation } from './rolloutObservations.js';

/** One plugin as the identity projection knows it: local id ↔ remote id, versions, use. */
export interface PluginIdentity {
  /** `name@marketplace`. */
  readonly pluginId: string;
  readonly pluginName: string | null;
  readonly marketplaceName: string | null;
  readonly remotePluginId: string | null;
  readonly installed: boolean;
  readonly versions: ReadonlyArray<string>;
  readonly activeVersion: string | null;
  /** Why the sidecar could not be read (unknown schema version, bad JSON), if so. */
  readonly sidecarError: string | null;
  readonly uses: number;
  readonly threads: number;
  readonly firstUsedAt: string | null;
  readonly lastUsedAt: string | null;
  /** Last enable/disable seen in a rollout (null: none seen). */
  readonly enabled: boolean | null;
  readonly enabledChangedAt: string | null;
}

const byTime = (a: PluginObservation, b: PluginObservation): number => {
  const x = a.timestamp ?? '';
  const y = b.timestamp ?? '';
  return x < y ? -1 : x > y ? 1 : a.pluginKey < b.pluginKey ? -1 : a.pluginKey > b.pluginKey ? 1 : 0;
};

/** Fold the cache (sidecars) and the plugin facts of rollouts into one row per plugin (pure). */
export const foldPluginIdentities = (
  cached: ReadonlyArray<CachedPlugin>,
  observations: ReadonlyArray<PluginObservation>,
): PluginIdentity[] => {
  const rows = new Map<string, PluginIdentity & { threadSet: Set<string> }>();
  const rowOf = (key: string) => {
    let r = rows.get(key);
    if (!r) {
      const id = parsePluginId(key);
      r = {
        pluginId: key,
        pluginName: E.isRight(id) ? id.right.pluginName : null,
        marketplaceName: E.isRight(id) ? id.right.marketplaceName : null,
        remotePluginId: null,
        installed: false,
        versions: [],
        activeVersion: null,
        sidecarError: null,
        uses: 0,
        threads: 0,
        firstUsedAt: null,
        lastUsedAt: null,
        enabled: null,
        enabledChangedAt: null,
        threadSet: new Set(),
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const c of cached) {
    const key = pluginKey(c.pluginId);
    const r = rowOf(key);
    rows.set(key, {
      ...r,
      installed: c.activeVersion !== null,
      versions: c.versions,
      activeVersion: c.activeVersion,
      remotePluginId: c.remotePluginId,
      sidecarError: c.sidecarError === null ? null : renderError(c.sidecarError as EngineError),
    });
  }
  for (const o of [...observations].sort(byTime)) {
    const r = rowOf(o.pluginKey);
    if (o.kind === 'used') {
      r.threadSet.add(o.threadId);
      rows.set(o.pluginKey, {
        ...r,
        uses: r.uses + 1,
        threads: r.threadSet.size,
        firstUsedAt: r.firstUsedAt ?? o.timestamp,
        lastUsedAt: o.timestamp ?? r.lastUsedAt,
      });
    } else {
      rows.set(o.pluginKey, { ...r, enabled: o.kind === 'enabled', enabledChangedAt: o.timestamp });
    }
  }
  return [...rows.values()].sort((a, b) => (a.pluginId < b.pluginId ? -1 : 1)).map(({ threadSet: _t, ...row }) => row);
};

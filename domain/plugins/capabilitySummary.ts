import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { PluginId } from './pluginId.js';
import { pluginKey } from './pluginId.js';
import type { PluginCapabilitySummary } from './telemetry.js';
import { parseJson } from '../jsonNesting.js';

/**
 * A plugin bundle's capabilities as Codex summarises them for telemetry (pure part; the adapter
 * `adapters/driven/plugins/pluginBundle.ts` reads the files). Read from Codex's
 * `codex-rs/core-plugins/src/manifest.rs` (`parse_plugin_manifest`, `resolve_manifest_path`) and
 * `codex-rs/core/src/plugins/manager.rs` (`plugin_telemetry_metadata_from_root`,
 * `plugin_skill_roots`, `plugin_mcp_config_paths`, `load_apps_from_paths`):
 * - the manifest is the first of `.codex-plugin/plugin.json`, `.claude-plugin/plugin.json`; without
 *   one (or when it is not JSON) there is no summary at all;
 * - `has_skills`: a `skills/` directory exists, or the manifest names a skills path;
 * - MCP servers: the file the manifest names (`mcpServers`), else `.mcp.json`; a file is either
 *   `{"mcpServers": {name: …}}` or a bare `{name: …}` map; names sorted, deduplicated;
 * - connectors: the file the manifest names (`apps`), else `.app.json`, `{"apps": {key: {id}}}`;
 *   blank ids dropped, the first of each id kept.
 */

export const PLUGIN_MANIFEST_PATHS = ['.codex-plugin/plugin.json', '.claude-plugin/plugin.json'] as const;
export const DEFAULT_SKILLS_DIR = 'skills';
export const DEFAULT_MCP_CONFIG_FILE = '.mcp.json';
export const DEFAULT_APP_CONFIG_FILE = '.app.json';

/** Manifest paths, relative to the plugin root and normalised (`./a/b` → `a/b`). */
export interface PluginManifestPaths {
  readonly skills: ReadonlyArray<string>;
  /** A file naming MCP servers, or the servers given inline. */
  readonly mcpServers: { readonly path: string } | { readonly inline: ReadonlyArray<string> } | null;
  readonly apps: string | null;
}

const jsonOf = (text: string): unknown => {
  try {
    return parseJson(text) as unknown;
  } catch {
    return undefined;
  }
};

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Codex's rule for a manifest path: `./` then plain segments, never `..`; anything else is ignored. */
export const manifestRelativePath = (path: unknown): string | null => {
  if (typeof path !== 'string' || !path.startsWith('./')) return null;
  const segments = path
    .slice(2)
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return null;
  return segments.join('/');
};

/** The paths a manifest names; Left when it is not a JSON object (Codex then reports no summary). */
export const pluginManifestPaths = (manifestText: string): E.Either<string, PluginManifestPaths> => {
  const json = jsonOf(manifestText);
  if (!isRecord(json)) return E.left('plugin manifest is not a JSON object');
  const skills = (Array.isArray(json['skills']) ? json['skills'] : [json['skills']])
    .map(manifestRelativePath)
    .filter((p): p is string => p !== null);
  const mcp = json['mcpServers'];
  const mcpPath = manifestRelativePath(mcp);
  return E.right({
    skills,
    mcpServers: mcpPath !== null ? { path: mcpPath } : isRecord(mcp) ? { inline: Object.keys(mcp) } : null,
    apps: manifestRelativePath(json['apps']),
  });
};

/** Server names an MCP config file declares (none when it is not a JSON object). */
export const mcpServerNamesOf = (text: string): string[] => {
  const json = jsonOf(text);
  if (!isRecord(json)) return [];
  const servers = isRecord(json['mcpServers']) ? json['mcpServers'] : json;
  return Object.keys(servers).filter((name) => isRecord(servers[name]));
};

// Codex's `PluginAppFile`: an entry without a string `id` fails the whole file (serde), so no apps.
const AppFile = t.partial({
  apps: t.record(
    t.string,
    t.intersection([t.type({ id: t.string }), t.partial({ category: t.union([t.string, t.null]) })]),
  ),
});

/** Connector ids an app config file declares, in the file's key order (Codex keeps it: an `IndexMap`). */
export const appConnectorIdsOf = (text: string): string[] =>
  pipe(
    AppFile.decode(jsonOf(text)),
    E.match(
      () => [],
      (file) =>
        Object.values(file.apps ?? {})
          .map((app) => app.id)
          .filter((id) => id.trim() !== ''),
    ),
  );

const sortedUnique = (xs: ReadonlyArray<string>): string[] => [...new Set(xs)].sort();
const firstOfEach = (xs: ReadonlyArray<string>): string[] => [...new Set(xs)];

/** The summary Codex builds for telemetry: its config name and display name are the plugin id's. */
export const capabilitySummary = (
  id: PluginId,
  facts: {
    readonly hasSkills: boolean;
    readonly mcpServerNames: ReadonlyArray<string>;
    readonly appConnectorIds: ReadonlyArray<string>;
  },
): PluginCapabilitySummary => ({
  configName: pluginKey(id),
  displayName: id.pluginName,
  description: null,
  hasSkills: facts.hasSkills,
  mcpServerNames: sortedUnique(facts.mcpServerNames),
  appConnectorIds: firstOfEach(facts.appConnectorIds),
});

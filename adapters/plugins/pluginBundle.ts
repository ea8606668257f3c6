import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { PluginId } from '../../domain/plugins/pluginId.js';
import type { PluginCapabilitySummary } from '../../domain/plugins/telemetry.js';
import {
  DEFAULT_APP_CONFIG_FILE,
  DEFAULT_MCP_CONFIG_FILE,
  DEFAULT_SKILLS_DIR,
  PLUGIN_MANIFEST_PATHS,
  appConnectorIdsOf,
  capabilitySummary,
  mcpServerNamesOf,
  pluginManifestPaths,
} from '../../domain/plugins/capabilitySummary.js';
import { errnoCode } from '../jsonl/toEngineError.js';

const kindOf = async (path: string): Promise<'file' | 'dir' | null> => {
  try {
    const st = await fs.stat(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw err;
  }
};

/** A file's text, or null when it is missing or unreadable (Codex skips such a file). */
const textOrNull = async (path: string): Promise<string | null> => {
  try {
    return await fs.readFile(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * The capability summary of the plugin bundle at `root` (a version directory of the cache), read
 * as Codex reads it (`domain/plugins/capabilitySummary.ts` says what counts). Null when the bundle
 * has no readable manifest: Codex then reports the bare plugin id.
 */
export const readCapabilitySummary = async (id: PluginId, root: string): Promise<PluginCapabilitySummary | null> => {
  let manifestText: string | null = null;
  for (const rel of PLUGIN_MANIFEST_PATHS) {
    if ((await kindOf(nodePath.join(root, rel))) === 'file') {
      manifestText = await textOrNull(nodePath.join(root, rel));
      break;
    }
  }
  if (manifestText === null) return null;
  const paths = pluginManifestPaths(manifestText);
  if (E.isLeft(paths)) return null;
  const { skills, mcpServers, apps } = paths.right;
  const hasSkills = skills.length > 0 || (await kindOf(nodePath.join(root, DEFAULT_SKILLS_DIR))) === 'dir';
  const configFile = async (declared: string | null, fallback: string): Promise<string | null> => {
    if (declared !== null) return textOrNull(nodePath.join(root, declared));
    return (await kindOf(nodePath.join(root, fallback))) === 'file' ? textOrNull(nodePath.join(root, fallback)) : null;
  };
  let mcpServerNames: ReadonlyArray<string>;
  if (mcpServers !== null && 'inline' in mcpServers) mcpServerNames = mcpServers.inline;
  else {
    const text = await configFile(mcpServers?.path ?? null, DEFAULT_MCP_CONFIG_FILE);
    mcpServerNames = text === null ? [] : mcpServerNamesOf(text);
  }
  const appsText = await configFile(apps, DEFAULT_APP_CONFIG_FILE);
  return capabilitySummary(id, { hasSkills, mcpServerNames, appConnectorIds: appsText === null ? [] : appConnectorIdsOf(appsText) });
};

import * as fs from 'node:fs/promises';
import { constants as FS } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { PluginId } from '../../../domain/plugins/pluginId.js';
import type { PluginCapabilitySummary } from '../../../domain/plugins/telemetry.js';
import type { PluginManifestPaths } from '../../../domain/plugins/capabilitySummary.js';
import {
  DEFAULT_APP_CONFIG_FILE,
  DEFAULT_MCP_CONFIG_FILE,
  DEFAULT_SKILLS_DIR,
  PLUGIN_MANIFEST_PATHS,
  appConnectorIdsOf,
  capabilitySummary,
  mcpServerNamesOf,
  pluginManifestPaths,
} from '../../../domain/plugins/capabilitySummary.js';
import { errnoCode } from '../fs/fsError.js';

/** What a path is (following links, as Codex's `is_file` / `is_dir`): a file, a folder, or nothing. */
export const kindOf = async (path: string): Promise<'file' | 'dir' | null> => {
  try {
    const st = await fs.stat(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw err;
  }
};

/**
 * A file's text, or null when it is missing, unreadable or not a regular file (Codex skips such a
 * file). Opened O_NONBLOCK and `fstat`ed before it is read: a FIFO named like a manifest or a
 * `SKILL.md` would otherwise hold a libuv pool thread until a writer came (four of them froze
 * `serve`). Links are followed, as Codex's `is_file` follows them in a bundle.
 */
export const textOrNull = async (path: string): Promise<string | null> => {
  let fh: FileHandle;
  try {
    fh = await fs.open(path, FS.O_RDONLY | FS.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    return (await fh.stat()).isFile() ? await fh.readFile('utf8') : null;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
};

/** The bundle's manifest text (the first of Codex's places that is a file), or null. */
export const manifestTextOf = async (root: string): Promise<string | null> => {
  for (const rel of PLUGIN_MANIFEST_PATHS)
    if ((await kindOf(nodePath.join(root, rel))) === 'file') return textOrNull(nodePath.join(root, rel));
  return null;
};

/** What a bundle with a manifest declares and holds: its manifest paths, whether it has skills, its MCP server names. */
export const readBundle = async (
  root: string,
  manifestText: string,
): Promise<{ paths: PluginManifestPaths; hasSkills: boolean; mcpServerNames: ReadonlyArray<string> } | null> => {
  const parsed = pluginManifestPaths(manifestText);
  if (E.isLeft(parsed)) return null;
  const paths = parsed.right;
  const hasSkills = paths.skills.length > 0 || (await kindOf(nodePath.join(root, DEFAULT_SKILLS_DIR))) === 'dir';
  let mcpServerNames: ReadonlyArray<string>;
  if (paths.mcpServers !== null && 'inline' in paths.mcpServers) mcpServerNames = paths.mcpServers.inline;
  else {
    const text = await configFileText(root, paths.mcpServers?.path ?? null, DEFAULT_MCP_CONFIG_FILE);
    mcpServerNames = text === null ? [] : mcpServerNamesOf(text);
  }
  return { paths, hasSkills, mcpServerNames };
};

/** The file the manifest names, else the default one when it is a file. */
const configFileText = async (root: string, declared: string | null, fallback: string): Promise<string | null> => {
  if (declared !== null) return textOrNull(nodePath.join(root, declared));
  return (await kindOf(nodePath.join(root, fallback))) === 'file' ? textOrNull(nodePath.join(root, fallback)) : null;
};

/**
 * The capability summary of the plugin bundle at `root` (a version directory of the cache), read
 * as Codex reads it (`domain/plugins/capabilitySummary.ts` says what counts). Null when the bundle
 * has no readable manifest: Codex then reports the bare plugin id.
 */
export const readCapabilitySummary = async (id: PluginId, root: string): Promise<PluginCapabilitySummary | null> => {
  const manifestText = await manifestTextOf(root);
  const bundle = manifestText === null ? null : await readBundle(root, manifestText);
  if (bundle === null) return null;
  const appsText = await configFileText(root, bundle.paths.apps, DEFAULT_APP_CONFIG_FILE);
  return capabilitySummary(id, {
    hasSkills: bundle.hasSkills,
    mcpServerNames: bundle.mcpServerNames,
    appConnectorIds: appsText === null ? [] : appConnectorIdsOf(appsText),
  });
};

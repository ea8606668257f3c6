import * as fs from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { stop, take, takeNow, useCase } from '../../../domain/effect.js';
import type { PluginId } from '../../../domain/plugins/pluginId.js';
import { parsePluginId, pluginKey } from '../../../domain/plugins/pluginId.js';
import type { CachedPlugin, PluginCache } from '../../../domain/plugins/ports.js';
import { REMOTE_PLUGIN_INSTALL_METADATA_FILE, decodeSidecar, encodeSidecar } from '../../../domain/plugins/sidecar.js';
import { activePluginVersion, comparePluginVersions, isValidVersionSegment } from '../../../domain/plugins/version.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';
import type { AtomicWriteHooks } from '../fs/writeFileAtomic.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { checkFoldersBelow } from '../fs/noFollow.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import { readCapabilitySummary } from './pluginBundle.js';
import { ownMadeFolders, ownTree } from '../fs/ownership.js';

export const PLUGINS_CACHE_DIR = nodePath.join('plugins', 'cache');
/** Sidecar permissions: it names the account's backend plugin, readable by the owner only. */
export const SIDECAR_MODE = 0o600;

const readDirOrEmpty = async (dir: string): Promise<Dirent[]> => {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
    throw err;
  }
};

const copyTree = async (from: string, to: string): Promise<void> => {
  await fs.cp(from, to, { recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true });
};

/**
 * The plugin cache of a CODEX_HOME on disk, laid out as Codex lays it out. Install and uninstall
 * replace a plugin's whole root (`<marketplace>/<plugin>/`) with one rename, staging beside it, so
 * a crash leaves the old root or the new one; a local install therefore also drops the remote
 * sidecar, and an uninstall removes it with the root.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const diskPluginCache = (codexHome: string, hooks: AtomicWriteHooks = {}): PluginCache => {
  const root = nodePath.join(codexHome, PLUGINS_CACHE_DIR);
  const baseRoot = (id: PluginId) => nodePath.join(root, id.marketplaceName, id.pluginName);
  const sidecarPath = (id: PluginId) => nodePath.join(baseRoot(id), REMOTE_PLUGIN_INSTALL_METADATA_FILE);

  const versionsOf = async (id: PluginId): Promise<string[]> =>
    (await readDirOrEmpty(baseRoot(id)))
      .filter((e) => e.isDirectory() && isValidVersionSegment(e.name))
      .map((e) => e.name)
      .sort(comparePluginVersions);

  const readRemote = async (id: PluginId): Promise<E.Either<EngineError, string | null>> => {
    if (activePluginVersion(await versionsOf(id)) === null) return E.right(null);
    let text: string;
    try {
      text = await readTextNoFollow(codexHome, sidecarPath(id));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return E.right(null);
      return E.left(toEngineError(sidecarPath(id), 'read remote plugin install metadata')(err));
    }
    return decodeSidecar(sidecarPath(id), text);
  };

  const attempt = <A>(path: string, op: string, f: () => Promise<A>): TE.TaskEither<EngineError, A> =>
    TE.tryCatch(f, toEngineError(path, op));

  return {
    root,
    list: () =>
      attempt(root, 'list plugin cache', async () => {
        const out: CachedPlugin[] = [];
        for (const market of (await readDirOrEmpty(root))
          .filter((e) => e.isDirectory())
          .sort((a, b) => (a.name < b.name ? -1 : 1))) {
          for (const plugin of (await readDirOrEmpty(nodePath.join(root, market.name)))
            .filter((e) => e.isDirectory())
            .sort((a, b) => (a.name < b.name ? -1 : 1))) {
            const id = parsePluginId(`${plugin.name}@${market.name}`);
            if (E.isLeft(id)) continue; // staging dirs and foreign folders are not plugins
            const versions = await versionsOf(id.right);
            const remote = await readRemote(id.right);
            out.push({
              pluginId: id.right,
              versions,
              activeVersion: activePluginVersion(versions),
              remotePluginId: E.isRight(remote) ? remote.right : null,
              sidecarError: E.isLeft(remote) ? remote.left : null,
            });
          }
        }
        return out;
      }),
    activeVersion: (id) =>
      attempt(baseRoot(id), 'read plugin versions', async () => activePluginVersion(await versionsOf(id))),
    install: (sourceDir, id, version) => async () => {
      if (!isValidVersionSegment(version))
        return E.left(invalidArgument('plugin version', `not a valid version directory: ${JSON.stringify(version)}`));
      const target = baseRoot(id);
      const parent = nodePath.dirname(target);
      return attempt(target, 'install plugin', async () => {
        // Nothing staged, moved or replaced through a folder of the home linked out of it.
        await checkFoldersBelow(codexHome, parent);
        await ownMadeFolders(await fs.mkdir(parent, { recursive: true }), parent);
        const stage = await fs.mkdtemp(nodePath.join(parent, '.plugin-install-'));
        try {
          const staged = nodePath.join(stage, id.pluginName);
          await copyTree(sourceDir, nodePath.join(staged, version));
          // The plugin's files the home owner's, as their Codex would have installed them (ownership.ts).
          await ownTree(staged, parent);
          // Move the old root aside, the new one in: two renames in one directory.
          const backup = nodePath.join(stage, 'previous-plugin-root');
          let hadOld = true;
          try {
            await fs.rename(target, backup);
          } catch (err) {
            if (errnoCode(err) !== 'ENOENT') throw err;
            hadOld = false;
          }
          try {
            await fs.rename(staged, target);
          } catch (err) {
            if (hadOld) await fs.rename(backup, target);
            throw err;
          }
          return { installedPath: nodePath.join(target, version) };
        } finally {
          await fs.rm(stage, { recursive: true, force: true });
        }
      })();
    },
    uninstall: (id) =>
      attempt(baseRoot(id), 'uninstall plugin', async () => {
        const target = baseRoot(id);
        const parent = nodePath.dirname(target);
        await checkFoldersBelow(codexHome, parent);
        let stage: string;
        try {
          stage = await fs.mkdtemp(nodePath.join(parent, '.plugin-uninstall-'));
        } catch (err) {
          if (errnoCode(err) === 'ENOENT') return; // nothing installed under this marketplace
          throw err;
        }
        try {
          await fs.rename(target, nodePath.join(stage, 'removed-plugin-root'));
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err;
        } finally {
          await fs.rm(stage, { recursive: true, force: true });
        }
      }),
    readRemoteId: (id) => () => readRemote(id),
    capabilitySummary: (id) =>
      attempt(baseRoot(id), 'read plugin manifest', async () => {
        const active = activePluginVersion(await versionsOf(id));
        return active === null ? null : readCapabilitySummary(id, nodePath.join(baseRoot(id), active));
      }),
    writeRemoteId: (id, remotePluginId) =>
      useCase(async () => {
        const bytes = takeNow(encodeSidecar(remotePluginId));
        if (activePluginVersion(await versionsOf(id).catch(() => [])) === null)
          return stop(
            invalidArgument('plugin', `cannot write remote identity for uninstalled plugin \`${pluginKey(id)}\``),
          );
        return take(
          attempt(sidecarPath(id), 'write remote plugin install metadata', () =>
            writeFileAtomic(sidecarPath(id), bytes, { mode: SIDECAR_MODE, hooks, root: codexHome }),
          ),
        );
      }),
    removeStale: (marketplaceName, keep) =>
      attempt(nodePath.join(root, marketplaceName), 'remove stale remote plugin cache entries', async () => {
        const dir = nodePath.join(root, marketplaceName);
        await checkFoldersBelow(codexHome, dir);
        // Our own install/uninstall staging folders belong to an operation in progress, not to the cache.
        const stale = (await readDirOrEmpty(dir)).filter(
          (e) => !keep.has(e.name) && !/^\.plugin-(install|uninstall)-/.test(e.name),
        );
        if (stale.length === 0) return [];
        const stage = await fs.mkdtemp(nodePath.join(dir, '.plugin-uninstall-'));
        try {
          for (const e of stale) await fs.rename(nodePath.join(dir, e.name), nodePath.join(stage, e.name));
        } finally {
          await fs.rm(stage, { recursive: true, force: true });
        }
        return stale.map((e) => `${e.name}@${marketplaceName}`).sort();
      }),
  };
};

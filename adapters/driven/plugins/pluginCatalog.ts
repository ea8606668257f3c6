import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { parseTomlText as parseToml } from '../fs/tomlText.js';
import { load as loadYaml } from 'js-yaml';
import type { EngineError } from '../../../domain/errors.js';
import { rejected } from '../../../domain/errors.js';
import { take, takeNow, useCase } from '../../../domain/effect.js';
import { DEFAULT_SKILLS_DIR } from '../../../domain/plugins/capabilitySummary.js';
import type { PluginState, SkillFacts } from '../../../domain/plugins/marketplace.js';
import { MARKETPLACE_MANIFEST_PATHS, parseMarketplace } from '../../../domain/plugins/marketplace.js';
import type {
  LoadedMarketplace,
  MarketplaceLoadError,
  PluginCache,
  PluginCatalog,
} from '../../../domain/plugins/ports.js';
import { parsePluginId } from '../../../domain/plugins/pluginId.js';
import { toEngineError } from '../fs/fsError.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import { kindOf, manifestTextOf, readBundle, textOrNull } from './pluginBundle.js';
import { parseJson } from '../../../domain/jsonNesting.js';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The marketplace file under a root, in Codex's order of places. */
const marketplaceFileIn = async (root: string): Promise<string | null> => {
  for (const rel of MARKETPLACE_MANIFEST_PATHS)
    if ((await kindOf(nodePath.join(root, rel))) === 'file') return nodePath.join(root, rel);
  return null;
};

/** The git repository a folder is in (the nearest ancestor with `.git`), as Codex finds a cwd's repo marketplace. */
const repoRootOf = async (dir: string): Promise<string | null> => {
  for (let d = nodePath.resolve(dir); ; d = nodePath.dirname(d)) {
    if ((await kindOf(nodePath.join(d, '.git'))) !== null) return d;
    if (nodePath.dirname(d) === d) return null;
  }
};

/** The plugin manifest of a bundle, parsed; null when absent or not a JSON object. */
const manifestOf = async (pluginRoot: string): Promise<Record<string, unknown> | null> => {
  const text = await manifestTextOf(pluginRoot);
  try {
    const json = parseJson(text ?? '') as unknown;
    return isRecord(json) ? json : null;
  } catch {
    return null;
  }
};

/** What `config.toml` says of plugins: the marketplaces it adds (local sources) and each plugin's `enabled`. */
const readConfig = async (
  codexHome: string,
): Promise<{ feature: boolean; remoteFeature: boolean; marketplaceRoots: string[]; enabled: Map<string, boolean> }> => {
  // The home's own file: read without following a link, a FIFO or device refused (`readTextNoFollow`); as absent then.
  const text = await readTextNoFollow(codexHome, nodePath.join(codexHome, 'config.toml')).catch(() => null);
  let config: Record<string, unknown> = {};
  try {
    config = text === null ? {} : (parseToml(text) as Record<string, unknown>);
  } catch {
    config = {};
  }
  const marketplaces = isRecord(config['marketplaces']) ? config['marketplaces'] : {};
  const marketplaceRoots = Object.values(marketplaces)
    .filter(isRecord)
    .filter((m) => m['source_type'] === 'local' && typeof m['source'] === 'string')
    .map((m) => m['source'] as string);
  const plugins = isRecord(config['plugins']) ? config['plugins'] : {};
  const enabled = new Map(
    Object.entries(plugins).flatMap(([id, p]) =>
      isRecord(p) && typeof p['enabled'] === 'boolean' ? [[id, p['enabled']] as const] : [],
    ),
  );
  const features = isRecord(config['features']) ? config['features'] : {};
  return {
    feature: features['plugins'] !== false,
    remoteFeature: features['remote_plugin'] === true,
    marketplaceRoots,
    enabled,
  };
};

/** `SKILL.md` files under a skills root (depth-bounded, sorted), with their front matter read. */
const skillsUnder = async (root: string, depth = 6): Promise<SkillFacts[]> => {
  const out: SkillFacts[] = [];
  const walk = async (dir: string, left: number): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = nodePath.join(dir, e.name);
      if (e.isFile() && e.name === 'SKILL.md') {
        const skill = skillOf(p, (await textOrNull(p)) ?? '');
        if (skill !== null) out.push(skill);
      } else if (e.isDirectory() && left > 0) await walk(p, left - 1);
    }
  };
  await walk(root, depth);
  return out;
};

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;

/** A skill from its `SKILL.md`: YAML front matter with `name` and `description` (else it is no skill). */
const skillOf = (path: string, text: string): SkillFacts | null => {
  const m = FRONT_MATTER.exec(text);
  if (!m) return null;
  let fm: unknown;
  try {
    fm = loadYaml(m[1]!);
  } catch {
    return null;
  }
  if (!isRecord(fm) || typeof fm['name'] !== 'string' || typeof fm['description'] !== 'string') return null;
  const meta = isRecord(fm['metadata']) ? fm['metadata'] : {};
  return {
    name: fm['name'],
    description: fm['description'],
    shortDescription: typeof meta['short-description'] === 'string' ? meta['short-description'] : null,
    path,
  };
};

/**
 * The home's plugin marketplaces on disk: the user's home marketplace (`$HOME/.agents/plugins/…`),
 * the repositories of the given working directories, and the local marketplaces `config.toml`
 * adds, each plugin with its source manifest, whether the cache holds it and `enabled` from config.
 */
export const diskPluginCatalog = (
  codexHome: string,
  cache: PluginCache,
  userHome: string = os.homedir(),
): PluginCatalog => {
  const attempt = <A>(path: string, op: string, f: () => Promise<A>): TE.TaskEither<EngineError, A> =>
    TE.tryCatch(f, toEngineError(path, op));

  const load = async (
    path: string,
    enabled: ReadonlyMap<string, boolean>,
  ): Promise<E.Either<string, LoadedMarketplace>> => {
    const text = await textOrNull(path);
    if (text === null) return E.left(`marketplace file \`${path}\` does not exist`);
    const parsed = parseMarketplace(path, text);
    if (E.isLeft(parsed)) return parsed;
    const states: PluginState[] = [];
    for (const entry of parsed.right.plugins) {
      const id = parsePluginId(`${entry.name}@${parsed.right.name}`);
      const active = E.isRight(id) ? await cache.activeVersion(id.right)() : E.right(null);
      if (E.isLeft(active)) throw new Error(JSON.stringify(active.left));
      states.push({
        manifest: await manifestOf(entry.sourcePath),
        installed: active.right !== null,
        enabled: enabled.get(`${entry.name}@${parsed.right.name}`) ?? false,
      });
    }
    return E.right({ marketplace: parsed.right, states });
  };

  return {
    featureEnabled: () => attempt(codexHome, 'read config.toml', async () => (await readConfig(codexHome)).feature),
    remoteFeatureEnabled: () =>
      attempt(codexHome, 'read config.toml', async () => (await readConfig(codexHome)).remoteFeature),
    marketplaces: (cwds) =>
      attempt(codexHome, 'list plugin marketplaces', async () => {
        const config = await readConfig(codexHome);
        const paths: string[] = [];
        const add = (p: string | null) => {
          if (p !== null && !paths.includes(p)) paths.push(p);
        };
        add(await marketplaceFileIn(userHome));
        for (const cwd of cwds) {
          const direct = await marketplaceFileIn(cwd);
          const repo = direct ?? (await repoRootOf(cwd));
          add(direct ?? (repo === null ? null : await marketplaceFileIn(repo)));
        }
        for (const root of config.marketplaceRoots) add(await marketplaceFileIn(root));
        const loaded: LoadedMarketplace[] = [];
        const errors: MarketplaceLoadError[] = [];
        for (const p of paths) {
          const m = await load(p, config.enabled);
          if (E.isRight(m)) loaded.push(m.right);
          else errors.push({ marketplacePath: p, message: m.left });
        }
        return { loaded, errors };
      }),
    marketplace: (path) =>
      useCase(async () => {
        const config = await readConfig(codexHome).catch(() => ({ enabled: new Map<string, boolean>() }));
        const loaded = await take(attempt(path, 'read plugin marketplace', () => load(path, config.enabled)));
        // A file that is no marketplace is refused in Codex's words.
        return takeNow(E.mapLeft((words: string) => rejected(words))(loaded));
      }),
    bundle: (pluginRoot) =>
      attempt(pluginRoot, 'read plugin bundle', async () => {
        const text = await manifestTextOf(pluginRoot);
        const bundle = text === null ? null : await readBundle(pluginRoot, text);
        if (bundle === null) return { skills: [], mcpServers: [] };
        const roots = [
          ...((await kindOf(nodePath.join(pluginRoot, DEFAULT_SKILLS_DIR))) === 'dir' ? [DEFAULT_SKILLS_DIR] : []),
          ...bundle.paths.skills,
        ];
        const skills = (
          await Promise.all([...new Set(roots)].sort().map((r) => skillsUnder(nodePath.join(pluginRoot, r))))
        ).flat();
        return {
          skills: [...skills].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
          mcpServers: bundle.mcpServerNames,
        };
      }),
  };
};

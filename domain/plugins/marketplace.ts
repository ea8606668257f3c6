import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { renderDecodeErrors } from '../decodeErrors.js';
import { manifestRelativePath } from './capabilitySummary.js';
import { parseJson } from '../jsonNesting.js';
import { hasMoreCodePointsThan } from '../codePoints.js';

/**
 * Local plugin marketplaces and the v2 answers Codex builds from them (pure), read from
 * `codex-rs/core-plugins/src/marketplace.rs` (`load_marketplace`, `resolve_marketplace_plugin_entry`:
 * the marketplace's `category` wins over the manifest's; policies default to `AVAILABLE` /
 * `ON_INSTALL`), `codex-rs/core-plugins/src/manifest.rs` (the manifest's `interface`, paths `./…`
 * under the plugin root) and checked against `codex app-server` 0.169.0's `plugin/list`,
 * `plugin/installed` and `plugin/read` answers (test/compat/plugins.compat.spec.ts).
 */

/** Where a marketplace file may sit under its root, in Codex's order. */
export const MARKETPLACE_MANIFEST_PATHS = [
  '.agents/plugins/marketplace.json',
  '.claude-plugin/marketplace.json',
] as const;

const Policy = t.partial({
  installation: t.keyof({ NOT_AVAILABLE: null, AVAILABLE: null, INSTALLED_BY_DEFAULT: null }),
  authentication: t.keyof({ ON_INSTALL: null, ON_USE: null }),
});
const LocalSource = t.union([t.string, t.type({ source: t.literal('local'), path: t.string })]);
const RawPlugin = t.intersection([
  t.type({ name: t.string, source: t.unknown }),
  t.partial({ policy: Policy, category: t.union([t.string, t.null]) }),
]);
const RawMarketplace = t.intersection([
  t.type({ name: t.string, plugins: t.array(t.unknown) }),
  t.partial({ interface: t.union([t.partial({ displayName: t.union([t.string, t.null]) }), t.null]) }),
]);

export interface MarketplaceEntry {
  readonly name: string;
  /** Absolute path of the plugin's source directory (local sources only: others are skipped, as Codex skips what it cannot resolve here). */
  readonly sourcePath: string;
  readonly installPolicy: 'NOT_AVAILABLE' | 'AVAILABLE' | 'INSTALLED_BY_DEFAULT';
  readonly authPolicy: 'ON_INSTALL' | 'ON_USE';
  readonly category: string | null;
}

export interface Marketplace {
  readonly name: string;
  readonly path: string;
  readonly displayName: string | null;
  readonly plugins: ReadonlyArray<MarketplaceEntry>;
}

const joinPath = (dir: string, rel: string): string => `${dir.replace(/\/+$/, '')}/${rel}`;

/** The marketplace root a marketplace file belongs to (the folder holding `.agents/plugins/…`). */
export const marketplaceRootOf = (marketplacePath: string): string => {
  for (const rel of MARKETPLACE_MANIFEST_PATHS)
    if (marketplacePath.endsWith(`/${rel}`)) return marketplacePath.slice(0, -rel.length - 1);
  return marketplacePath.slice(0, marketplacePath.lastIndexOf('/'));
};

/** A marketplace file's text → its entries; Left with Codex's words when it is not one. */
export const parseMarketplace = (path: string, text: string): E.Either<string, Marketplace> => {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (err) {
    return E.left(`invalid marketplace file \`${path}\`: ${(err as Error).message}`);
  }
  const m = RawMarketplace.decode(json);
  if (E.isLeft(m)) return E.left(`invalid marketplace file \`${path}\`: ${renderDecodeErrors(m.left)}`);
  const root = marketplaceRootOf(path);
  const plugins: MarketplaceEntry[] = [];
  for (const raw of m.right.plugins) {
    const p = RawPlugin.decode(raw);
    if (E.isLeft(p)) continue;
    const src = LocalSource.decode(p.right.source);
    if (E.isLeft(src)) continue;
    const rel = manifestRelativePath(typeof src.right === 'string' ? src.right : src.right.path);
    if (rel === null) continue;
    plugins.push({
      name: p.right.name,
      sourcePath: joinPath(root, rel),
      installPolicy: p.right.policy?.installation ?? 'AVAILABLE',
      authPolicy: p.right.policy?.authentication ?? 'ON_INSTALL',
      category: p.right.category ?? null,
    });
  }
  return E.right({ name: m.right.name, path, displayName: m.right.interface?.displayName ?? null, plugins });
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A manifest's `version`, trimmed; null when absent or blank. */
export const manifestVersion = (manifest: Record<string, unknown> | null): string | null => {
  const v = str(manifest?.['version'])?.trim();
  return v ? v : null;
};

const MAX_DEFAULT_PROMPTS = 3;
const MAX_DEFAULT_PROMPT_LEN = 128;
const prompt = (s: string): string | null => {
  const p = s.split(/\s+/).filter(Boolean).join(' ');
  return p === '' || hasMoreCodePointsThan(p, MAX_DEFAULT_PROMPT_LEN) ? null : p;
};
const defaultPrompts = (v: unknown): string[] | null => {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  const out: string[] = [];
  for (const x of list) {
    if (out.length >= MAX_DEFAULT_PROMPTS) break;
    const p = typeof x === 'string' ? prompt(x) : null;
    if (p !== null) out.push(p);
  }
  return out.length === 0 ? null : out;
};

/** `PluginInterface` (v2): the manifest's `interface`, asset paths resolved under the plugin root, the marketplace's category winning. */
export const pluginInterface = (
  manifest: Record<string, unknown> | null,
  pluginRoot: string,
  category: string | null,
): Record<string, unknown> | null => {
  const i = isRecord(manifest?.['interface']) ? (manifest['interface'] as Record<string, unknown>) : null;
  const asset = (v: unknown): string | null => {
    const rel = manifestRelativePath(v);
    return rel === null ? null : joinPath(pluginRoot, rel);
  };
  const fields = {
    displayName: str(i?.['displayName']),
    shortDescription: str(i?.['shortDescription']),
    longDescription: str(i?.['longDescription']),
    developerName: str(i?.['developerName']),
    category: str(i?.['category']),
    capabilities: strings(i?.['capabilities']),
    websiteUrl: str(i?.['websiteUrl'] ?? i?.['websiteURL']),
    privacyPolicyUrl: str(i?.['privacyPolicyUrl'] ?? i?.['privacyPolicyURL']),
    termsOfServiceUrl: str(i?.['termsOfServiceUrl'] ?? i?.['termsOfServiceURL']),
    defaultPrompt: defaultPrompts(i?.['defaultPrompt']),
    brandColor: str(i?.['brandColor']),
    composerIcon: asset(i?.['composerIcon']),
    composerIconUrl: null,
    logo: asset(i?.['logo']),
    logoDark: asset(i?.['logoDark']),
    logoUrl: null,
    logoUrlDark: null,
    screenshots: strings(i?.['screenshots'])
      .map(asset)
      .filter((p): p is string => p !== null),
    screenshotUrls: [],
  };
  const hasFields = Object.entries(fields).some(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== null));
  if (!hasFields && category === null) return null;
  return category === null ? fields : { ...fields, category };
};

/** What the home says of one marketplace plugin: its source manifest, cache and config state. */
export interface PluginState {
  readonly manifest: Record<string, unknown> | null;
  readonly installed: boolean;
  readonly enabled: boolean;
}

/** `PluginSummary` (v2) of a local marketplace plugin, keys in Codex's order. */
export const pluginSummary = (marketplace: Marketplace, entry: MarketplaceEntry, state: PluginState) => ({
  id: `${entry.name}@${marketplace.name}`,
  // A local marketplace entry has no backend id: Codex answers null even beside a remote-install sidecar.
  remotePluginId: null,
  version: null,
  localVersion: manifestVersion(state.manifest),
  name: entry.name,
  shareContext: null,
  source: { type: 'local', path: entry.sourcePath },
  installed: state.installed,
  installedAt: null,
  enabled: state.enabled,
  installPolicy: entry.installPolicy,
  installPolicySource: null,
  mustShowInstallationInterstitial: null,
  authPolicy: entry.authPolicy,
  availability: 'AVAILABLE',
  disabledReason: null,
  eligiblePlanTypes: null,
  interface: pluginInterface(state.manifest, entry.sourcePath, entry.category),
  keywords: strings(state.manifest?.['keywords']),
});

/** `PluginSummary` (v2), as the engine answers it for a local marketplace plugin. */
export type PluginSummary = ReturnType<typeof pluginSummary>;

/** `PluginMarketplaceEntry` (v2). */
export const marketplaceEntry = (marketplace: Marketplace, plugins: ReadonlyArray<PluginSummary>) => ({
  name: marketplace.name,
  path: marketplace.path,
  interface: marketplace.displayName === null ? null : { displayName: marketplace.displayName },
  plugins,
});

/** A plugin's skill as `plugin/read` lists it (`SkillSummary`). */
export interface SkillFacts {
  readonly name: string;
  readonly description: string;
  readonly shortDescription: string | null;
  readonly path: string;
}

/** `PluginDetail` (v2) of a local marketplace plugin. */
export const pluginDetail = (
  marketplace: Marketplace,
  entry: MarketplaceEntry,
  state: PluginState,
  bundle: { readonly skills: ReadonlyArray<SkillFacts>; readonly mcpServers: ReadonlyArray<string> },
) => ({
  marketplaceName: marketplace.name,
  marketplacePath: marketplace.path,
  summary: pluginSummary(marketplace, entry, state),
  shareUrl: null,
  description: str(state.manifest?.['description']),
  skills: bundle.skills.map((s) => ({
    name: `${entry.name}:${s.name}`,
    description: s.description,
    shortDescription: s.shortDescription,
    interface: null,
    path: s.path,
    enabled: true,
  })),
  onboardingSkill: null,
  hooks: [],
  apps: [],
  appTemplates: [],
  mcpServers: [...bundle.mcpServers].sort(),
  scheduledTasks: null,
});

/** `PluginMarketplaceEntry` (v2): a marketplace and its plugins. */
export type PluginMarketplaceEntry = ReturnType<typeof marketplaceEntry>;

/** `PluginDetail` (v2), as the engine answers it for a local marketplace plugin. */
export type PluginDetail = ReturnType<typeof pluginDetail>;

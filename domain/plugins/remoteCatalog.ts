import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { rejected } from '../errors.js';
import type { PluginId } from './pluginId.js';
import { parsePluginId } from './pluginId.js';
import { isValidVersionSegment } from './version.js';

/**
 * The ChatGPT plugin backend as Codex talks to it (`codex-rs/core-plugins/src/remote.rs`,
 * `remote_bundle.rs`): the catalog's shapes, its URLs under `chatgpt_base_url`, and the checks a
 * release passes before its bundle is downloaded.
 */

/** `chatgpt_base_url` when config.toml sets none (Codex's default). */
export const DEFAULT_CHATGPT_BASE_URL = 'https://chatgpt.com/backend-api/';
/** Where codex 0.169.0 caches a GLOBAL plugin (seen: `plugins/cache/openai-curated-remote/<name>/`). */
export const REMOTE_GLOBAL_MARKETPLACE_NAME = 'openai-curated-remote';
/** Where a WORKSPACE plugin is cached: Codex's "Workspace Directory" marketplace (not checked against the binary). */
export const REMOTE_WORKSPACE_MARKETPLACE_NAME = 'workspace-directory';
/** The marketplace `plugin/read` names for a WORKSPACE plugin that is not listed in the directory (measured: UNLISTED, PRIVATE). */
export const REMOTE_SHARED_MARKETPLACE_NAME = 'workspace-shared-with-me';
/** Remote scopes, with the cache marketplace each lands in. */
export const REMOTE_PLUGIN_SCOPES = [
  { scope: 'GLOBAL', marketplaceName: REMOTE_GLOBAL_MARKETPLACE_NAME },
  { scope: 'WORKSPACE', marketplaceName: REMOTE_WORKSPACE_MARKETPLACE_NAME },
] as const;
export type RemotePluginScope = (typeof REMOTE_PLUGIN_SCOPES)[number]['scope'];

/** A catalog failure with Codex's context before its words (`read remote plugin details: …`, `list remote plugin catalog: …`). */
export const catalogErrorIn = (context: string, e: EngineError): EngineError => {
  switch (e._tag) {
    case 'Rejected':
    case 'Decode':
      return { ...e, reason: `${context}: ${e.reason}` };
    case 'Io':
      return { ...e, message: `${context}: ${e.message}` };
    default:
      return e;
  }
};

/** A listing's `scope=`: a plugin's scope, or `USER` (the plugins the account created). */
export type RemoteListingScope = RemotePluginScope | 'USER';

/** A remote catalog `plugin/list` lists, as Codex 0.169.0 names it (measured on a local backend). */
export interface RemoteCatalog {
  readonly name: string;
  readonly displayName: string;
  /** What Codex's refusal of it starts with. */
  readonly context: string;
  /** Where it is listed from: a scope's catalog (with a collection), or the shared-with-me listing. */
  readonly source:
    | { readonly kind: 'catalog'; readonly scope: RemoteListingScope; readonly collection: string | null }
    | { readonly kind: 'shared' };
  /** The scope whose installed plugins say which of its entries are installed. */
  readonly installedScope: RemoteListingScope;
}

export const REMOTE_CATALOGS = {
  curated: (collection: string | null): RemoteCatalog => ({
    name: REMOTE_GLOBAL_MARKETPLACE_NAME,
    displayName: 'OpenAI Curated Remote',
    context: 'list OpenAI Curated remote plugin catalog',
    source: { kind: 'catalog', scope: 'GLOBAL', collection },
    installedScope: 'GLOBAL',
  }),
  workspace: {
    name: REMOTE_WORKSPACE_MARKETPLACE_NAME,
    displayName: 'Workspace Directory',
    context: 'list remote plugin catalog',
    source: { kind: 'catalog', scope: 'WORKSPACE', collection: null },
    installedScope: 'WORKSPACE',
  } as RemoteCatalog,
  shared: {
    name: 'workspace-shared-with-me-private',
    displayName: 'Shared with me',
    context: 'list remote plugin catalog',
    source: { kind: 'shared' },
    installedScope: 'WORKSPACE',
  } as RemoteCatalog,
  createdByMe: {
    name: 'created-by-me-remote',
    displayName: 'Created by me',
    context: 'list remote plugin catalog',
    source: { kind: 'catalog', scope: 'USER', collection: null },
    installedScope: 'USER',
  } as RemoteCatalog,
};

export const marketplaceOfScope = (scope: RemotePluginScope): string =>
  REMOTE_PLUGIN_SCOPES.find((s) => s.scope === scope)!.marketplaceName;

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null, t.undefined]);

const optionalString = nullable(t.string);

/** A release's presentation (`interface`), as the catalog sends it; `default_prompt` is one string. */
const RemotePluginInterface = t.partial({
  short_description: optionalString,
  long_description: optionalString,
  developer_name: optionalString,
  category: optionalString,
  capabilities: t.array(t.string),
  website_url: optionalString,
  privacy_policy_url: optionalString,
  terms_of_service_url: optionalString,
  default_prompt: optionalString,
  brand_color: optionalString,
  composer_icon_url: optionalString,
  logo_url: optionalString,
  logo_url_dark: optionalString,
  screenshot_urls: t.array(t.string),
});

/** A skill a release declares. */
const RemotePluginSkill = t.intersection([
  t.type({ name: t.string, description: t.string }),
  t.partial({
    interface: t.union([
      t.null,
      t.undefined,
      t.partial({
        display_name: optionalString,
        short_description: optionalString,
        brand_color: optionalString,
        default_prompt: optionalString,
        icon_small_url: optionalString,
        icon_large_url: optionalString,
      }),
    ]),
  }),
]);
export type RemotePluginSkill = t.TypeOf<typeof RemotePluginSkill>;

const RemotePluginRelease = t.partial({
  version: optionalString,
  bundle_download_url: optionalString,
  display_name: optionalString,
  description: optionalString,
  app_ids: t.array(t.string),
  interface: t.union([t.null, t.undefined, RemotePluginInterface]),
  skills: t.array(RemotePluginSkill),
});

/** How a workspace plugin is shared (the catalog's `discoverability`). */
const Discoverability = t.union([t.literal('LISTED'), t.literal('UNLISTED'), t.literal('PRIVATE')]);

/** A catalog entry (`RemotePluginDirectoryItem`): extra fields are ignored, as serde does. */
export const RemotePluginItem = t.intersection([
  t.type({
    id: t.string,
    name: t.string,
    scope: t.union([t.literal('GLOBAL'), t.literal('WORKSPACE')]),
    release: RemotePluginRelease,
  }),
  t.partial({
    authentication_policy: t.union([t.literal('ON_INSTALL'), t.literal('ON_USE')]),
    installation_policy: t.string,
    discoverability: t.union([t.null, t.undefined, Discoverability]),
    share_url: optionalString,
    creator_account_user_id: optionalString,
    creator_name: optionalString,
    share_principals: t.union([t.null, t.undefined, t.array(t.unknown)]),
    can_publish_to_workspace: t.union([t.null, t.undefined, t.boolean]),
  }),
]);
export type RemotePluginItem = t.TypeOf<typeof RemotePluginItem>;

const Pagination = t.partial({ next_page_token: nullable(t.string) });

/** One page of `GET {base}/ps/plugins/installed?limit=200` (every scope; each item says its own). */
export const RemoteInstalledPage = t.type({
  plugins: t.array(
    t.intersection([
      RemotePluginItem,
      t.type({ enabled: t.boolean }),
      t.partial({ disabled_skill_names: t.array(t.string) }),
    ]),
  ),
  pagination: Pagination,
});
export type RemoteInstalledPage = t.TypeOf<typeof RemoteInstalledPage>;

/** One page of a catalog listing (`/ps/plugins/list`, `/ps/plugins/workspace/shared`). */
export const RemoteCatalogPage = t.type({ plugins: t.array(RemotePluginItem), pagination: Pagination });
export type RemoteCatalogPage = t.TypeOf<typeof RemoteCatalogPage>;

/** The featured plugins' backend ids (`/plugins/featured?platform=codex`). */
export const RemoteFeaturedIds = t.array(t.string);

/** The answer to an install/uninstall POST. */
export const RemotePluginMutation = t.type({ id: t.string, enabled: t.boolean });

const base = (chatgptBaseUrl: string): string => chatgptBaseUrl.replace(/\/+$/, '');

/** Codex's page size for catalog listings. */
const PAGE_LIMIT = 200;

/** The URLs codex 0.169.0 calls under `chatgpt_base_url` (its trailing slashes trimmed), as seen on a local backend. */
export const remotePluginUrls = {
  /** Every scope's installed plugins, or one scope's (`scope=`, first, as Codex's `plugin/read` asks). */
  installed: (
    chatgptBaseUrl: string,
    includeDownloadUrls: boolean,
    pageToken: string | null,
    scope?: RemoteListingScope,
  ): string => {
    const q = new URLSearchParams(scope === undefined ? {} : { scope });
    q.set('limit', String(PAGE_LIMIT));
    if (includeDownloadUrls) q.set('includeDownloadUrls', 'true');
    if (pageToken !== null) q.set('pageToken', pageToken);
    return `${base(chatgptBaseUrl)}/ps/plugins/installed?${q.toString()}`;
  },
  /** A scope's catalog, or a collection of it (`collection=vertical`: the OpenAI Curated catalog). */
  catalog: (
    chatgptBaseUrl: string,
    scope: RemoteListingScope,
    collection: string | null,
    pageToken: string | null,
  ): string => {
    const q = new URLSearchParams({ scope, limit: String(PAGE_LIMIT) });
    if (collection !== null) q.set('collection', collection);
    if (pageToken !== null) q.set('pageToken', pageToken);
    return `${base(chatgptBaseUrl)}/ps/plugins/list?${q.toString()}`;
  },
  /** The workspace plugins shared with the account. */
  shared: (chatgptBaseUrl: string, pageToken: string | null): string => {
    const q = new URLSearchParams({ limit: String(PAGE_LIMIT) });
    if (pageToken !== null) q.set('pageToken', pageToken);
    return `${base(chatgptBaseUrl)}/ps/plugins/workspace/shared?${q.toString()}`;
  },
  featured: (chatgptBaseUrl: string): string => `${base(chatgptBaseUrl)}/plugins/featured?platform=codex`,
  detail: (chatgptBaseUrl: string, remotePluginId: string, includeDownloadUrls: boolean): string =>
    `${base(chatgptBaseUrl)}/ps/plugins/${remotePluginId}${includeDownloadUrls ? '?includeDownloadUrls=true' : ''}`,
  install: (chatgptBaseUrl: string, remotePluginId: string): string =>
    `${base(chatgptBaseUrl)}/ps/plugins/${remotePluginId}/install?includeAppsNeedingAuth=true`,
  uninstall: (chatgptBaseUrl: string, remotePluginId: string): string =>
    `${base(chatgptBaseUrl)}/ps/plugins/${remotePluginId}/uninstall`,
};

/** A backend plugin id as `plugin/uninstall` takes one (`plugins~Plugin_…`); Codex answers any other non-local id "invalid remote plugin id". */
export const isRemotePluginId = (id: string): boolean => /^[A-Za-z0-9_~-]+$/.test(id);

/** A release checked for download: where its bundle lands in the cache and where it comes from. */
export interface RemoteBundle {
  readonly pluginId: PluginId;
  readonly version: string;
  readonly remotePluginId: string;
  readonly downloadUrl: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Whether a bundle may be fetched from `url`: https, or http to a loopback host when the caller
 * allows it (Codex: debug builds with CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS=1).
 */
export const isAllowedBundleUrl = (url: URL, allowLoopbackHttp: boolean): boolean =>
  url.protocol === 'https:' ||
  (url.protocol === 'http:' &&
    allowLoopbackHttp &&
    (LOOPBACK_HOSTS.has(url.hostname.toLowerCase()) || /^127\./.test(url.hostname)));

/** `validate_remote_plugin_bundle`: the local id, the release version and the download URL, in Codex's words when one is wrong. */
export const validateRemoteBundle = (
  item: {
    readonly id: string;
    readonly name: string;
    readonly release: { readonly version?: string | null; readonly bundle_download_url?: string | null };
  },
  marketplaceName: string,
  allowLoopbackHttp: boolean,
): E.Either<EngineError, RemoteBundle> => {
  const pluginId = parsePluginId(`${item.name}@${marketplaceName}`);
  if (E.isLeft(pluginId))
    return E.left(
      rejected(
        `backend returned an invalid local plugin id for remote plugin \`${item.id}\`: ${JSON.stringify(item.name)}`,
      ),
    );
  const version = item.release.version?.trim() ?? '';
  if (version === '')
    return E.left(rejected(`backend did not return a release version for remote plugin \`${item.id}\``));
  if (!isValidVersionSegment(version))
    return E.left(
      rejected(
        `backend returned an invalid release version for remote plugin \`${item.id}\`: ${JSON.stringify(version)}`,
      ),
    );
  const url = item.release.bundle_download_url?.trim() ?? '';
  if (url === '') return E.left(rejected(`backend did not return a download URL for remote plugin \`${item.id}\``));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return E.left(rejected(`backend returned an invalid download URL for remote plugin \`${item.id}\`: ${url}`));
  }
  if (!isAllowedBundleUrl(parsed, allowLoopbackHttp)) {
    return E.left(
      rejected(
        `backend returned an unsupported download URL scheme for remote plugin \`${item.id}\`: ${parsed.protocol.replace(/:$/, '')}`,
      ),
    );
  }
  return E.right({ pluginId: pluginId.right, version, remotePluginId: item.id, downloadUrl: url });
};

/** What a remote sync did, as Codex's `RemoteInstalledPluginBundleSyncOutcome` (plus the sidecars it rewrote). */
export interface RemoteSyncOutcome {
  readonly installedPluginIds: ReadonlyArray<string>;
  /** Bundles already current whose sidecar was missing or different, written again. */
  readonly backfilledPluginIds: ReadonlyArray<string>;
  readonly removedCachePluginIds: ReadonlyArray<string>;
  readonly failedRemotePluginIds: ReadonlyArray<string>;
}

import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../errors.js';
import type { PluginId } from './pluginId.js';
import type { PluginCapabilitySummary } from './telemetry.js';
import type { Marketplace, PluginState, SkillFacts } from './marketplace.js';
import type {
  RemoteBundle,
  RemoteCatalog,
  RemoteInstalledPage,
  RemoteListingScope,
  RemotePluginItem,
} from './remoteCatalog.js';

/** A plugin found in the cache, with its sidecar read (or why it could not be). */
export interface CachedPlugin {
  readonly pluginId: PluginId;
  /** Version directories, sorted as Codex orders them. */
  readonly versions: ReadonlyArray<string>;
  readonly activeVersion: string | null;
  readonly remotePluginId: string | null;
  /** The sidecar exists but is unreadable, of an unknown schema version, or invalid. */
  readonly sidecarError: EngineError | null;
}

/**
 * The plugin cache of a CODEX_HOME (`plugins/cache/<marketplace>/<plugin>/<version>/` and the
 * remote-install sidecar beside the versions). Every replacement of files is atomic: a reader sees
 * the old state or the new one, never a part.
 */
export interface PluginCache {
  readonly root: string;
  readonly list: () => TE.TaskEither<EngineError, ReadonlyArray<CachedPlugin>>;
  readonly activeVersion: (id: PluginId) => TE.TaskEither<EngineError, string | null>;
  /** Replace the plugin's whole cache root with `sourceDir` as `<version>` (drops any sidecar). */
  readonly install: (
    sourceDir: string,
    id: PluginId,
    version: string,
  ) => TE.TaskEither<EngineError, { readonly installedPath: string }>;
  /** Remove the plugin's cache root, sidecar included. */
  readonly uninstall: (id: PluginId) => TE.TaskEither<EngineError, void>;
  /** Remote id from the sidecar; null without one (or when the plugin is not installed). */
  readonly readRemoteId: (id: PluginId) => TE.TaskEither<EngineError, string | null>;
  /** The active version's capability summary (manifest, skills, MCP servers, apps); null when not installed or without a manifest. */
  readonly capabilitySummary: (id: PluginId) => TE.TaskEither<EngineError, PluginCapabilitySummary | null>;
  /** Write the sidecar (temp file + rename, mode 0600). The plugin must be installed. */
  readonly writeRemoteId: (id: PluginId, remotePluginId: string) => TE.TaskEither<EngineError, void>;
  /**
   * Remove every entry of a marketplace's cache folder whose name is not in `keep` (plugin roots
   * with their sidecars, stray files), each with one rename out of the folder first; answers the
   * removed ids (`<name>@<marketplace>`), sorted.
   */
  readonly removeStale: (
    marketplaceName: string,
    keep: ReadonlySet<string>,
  ) => TE.TaskEither<EngineError, ReadonlyArray<string>>;
}

/** A marketplace with what the home says of each of its plugins (same order). */
export interface LoadedMarketplace {
  readonly marketplace: Marketplace;
  readonly states: ReadonlyArray<PluginState>;
}

/** A marketplace that could not be loaded, in Codex's words (`MarketplaceLoadErrorInfo`). */
export interface MarketplaceLoadError {
  readonly marketplacePath: string;
  readonly message: string;
}

/** The marketplaces a home sees, and those that failed to load. */
export interface MarketplaceListing {
  readonly loaded: ReadonlyArray<LoadedMarketplace>;
  readonly errors: ReadonlyArray<MarketplaceLoadError>;
}

/**
 * The plugin marketplaces a home can see (the user's home marketplace, those of the given working
 * directories' repositories, those `config.toml` adds) with each plugin's source manifest, cache
 * state and enable state.
 */
export interface PluginCatalog {
  /** `[features] plugins` of config.toml (on unless set to false): off, Codex lists no marketplace and reads no plugin. */
  readonly featureEnabled: () => TE.TaskEither<EngineError, boolean>;
  /** `[features] remote_plugin` of config.toml (off unless set to true): the remote catalog beside the local marketplaces. */
  readonly remoteFeatureEnabled: () => TE.TaskEither<EngineError, boolean>;
  readonly marketplaces: (cwds: ReadonlyArray<string>) => TE.TaskEither<EngineError, MarketplaceListing>;
  /** One marketplace file; a missing or invalid one is `Rejected` in Codex's words. */
  readonly marketplace: (marketplacePath: string) => TE.TaskEither<EngineError, LoadedMarketplace>;
  /** What a plugin's bundle holds for `plugin/read`: its skills and MCP server names. */
  readonly bundle: (
    pluginRoot: string,
  ) => TE.TaskEither<
    EngineError,
    { readonly skills: ReadonlyArray<SkillFacts>; readonly mcpServers: ReadonlyArray<string> }
  >;
}

/** The plugin tables of a home's `config.toml` (`[plugins."<name>@<marketplace>"]`), edited in place. */
export interface PluginConfig {
  /** Set the plugin's `enabled`, adding its table at the end when it has none. */
  readonly setEnabled: (key: string, enabled: boolean) => TE.TaskEither<EngineError, void>;
  /** Remove the plugin's table (nothing when it has none). */
  readonly remove: (key: string) => TE.TaskEither<EngineError, void>;
}

/** A plugin the backend says the account has installed (`RemotePluginInstalledItem`). */
export type RemoteInstalledPlugin = RemoteInstalledPage['plugins'][number];

/** The ChatGPT plugin backend at a home's `chatgpt_base_url`, authenticated as Codex is. */
export interface RemotePluginBackend {
  readonly chatgptBaseUrl: string;
  /** Every page of the account's installed plugins (all scopes, or the one given). */
  readonly installedPlugins: (
    includeDownloadUrls: boolean,
    scope?: RemoteListingScope,
  ) => TE.TaskEither<EngineError, ReadonlyArray<RemoteInstalledPlugin>>;
  /** Every page of a remote catalog `plugin/list` lists. */
  readonly catalog: (catalog: RemoteCatalog) => TE.TaskEither<EngineError, ReadonlyArray<RemotePluginItem>>;
  /** The featured plugins' backend ids. */
  readonly featured: () => TE.TaskEither<EngineError, ReadonlyArray<string>>;
  readonly pluginDetail: (
    remotePluginId: string,
    includeDownloadUrls: boolean,
  ) => TE.TaskEither<EngineError, RemotePluginItem>;
  /** `POST …/install`: the backend must answer the same id, enabled. */
  readonly install: (remotePluginId: string) => TE.TaskEither<EngineError, void>;
  /** `POST …/uninstall`: the backend must answer the same id, disabled. */
  readonly uninstall: (remotePluginId: string) => TE.TaskEither<EngineError, void>;
}

/** A downloaded bundle unpacked in a staging folder, ready to be copied into the cache. */
export interface StagedBundle {
  readonly root: string;
  readonly dispose: () => Promise<void>;
}

/** Downloads a release's bundle (size-bounded) and unpacks it (checked) into staging. */
export interface RemoteBundleFetcher {
  readonly fetch: (bundle: RemoteBundle) => TE.TaskEither<EngineError, StagedBundle>;
}

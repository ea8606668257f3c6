import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { decodeError } from '../errors.js';
import { decide, takeNow } from '../effect.js';
import type { RemoteInstalledPage, RemotePluginItem, RemotePluginSkill } from './remoteCatalog.js';
import {
  REMOTE_GLOBAL_MARKETPLACE_NAME,
  REMOTE_SHARED_MARKETPLACE_NAME,
  REMOTE_WORKSPACE_MARKETPLACE_NAME,
} from './remoteCatalog.js';

/**
 * `plugin/read` of a remote plugin: Codex 0.169.0's `PluginDetail` made of the catalog's entry and
 * the account's installed entry of the same scope (measured on a local backend: every field below
 * was seen set and unset).
 */

type InstalledEntry = RemoteInstalledPage['plugins'][number];

/** Trimmed, or null when blank (Codex's `non_empty_string`). */
const nonEmpty = (s: string | null | undefined): string | null => {
  const v = s?.trim() ?? '';
  return v === '' ? null : v;
};

/** The slug of an app's install URL: ASCII letters and digits lowercased, any other character `-`, `-` trimmed; `app` when nothing is left. */
export const appSlug = (name: string): string => {
  const slug = [...name]
    .map((c) => (/^[A-Za-z0-9]$/.test(c) ? c.toLowerCase() : '-'))
    .join('')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'app' : slug;
};

/** What Codex answers of an app id when it knows nothing more of the app (its apps feature off): the id as its name, an install URL made of it. */
const appSummaryOf = (id: string): Record<string, unknown> => ({
  id,
  name: id,
  description: null,
  installUrl: `https://chatgpt.com/apps/${appSlug(id)}/${id}`,
  category: null,
});

/** The marketplace Codex names a catalog entry by: its scope's, a workspace plugin's by how it is shared. */
const marketplaceOf = (item: RemotePluginItem): E.Either<EngineError, string> => {
  if (item.scope === 'GLOBAL') return E.right(REMOTE_GLOBAL_MARKETPLACE_NAME);
  if (item.discoverability === undefined || item.discoverability === null)
    return E.left(decodeError(item.id, 0, 0, `workspace plugin \`${item.id}\` did not include discoverability`));
  return E.right(
    item.discoverability === 'LISTED' ? REMOTE_WORKSPACE_MARKETPLACE_NAME : REMOTE_SHARED_MARKETPLACE_NAME,
  );
};

/** The plugin's presentation, or null when the catalog gave none of it. */
const interfaceOf = (item: RemotePluginItem): Record<string, unknown> | null => {
  const i = item.release.interface ?? {};
  const prompt = nonEmpty(i.default_prompt);
  const shown = {
    displayName: nonEmpty(item.release.display_name),
    shortDescription: i.short_description ?? null,
    longDescription: i.long_description ?? null,
    developerName: i.developer_name ?? null,
    category: i.category ?? null,
    capabilities: i.capabilities ?? [],
    websiteUrl: i.website_url ?? null,
    privacyPolicyUrl: i.privacy_policy_url ?? null,
    termsOfServiceUrl: i.terms_of_service_url ?? null,
    defaultPrompt: prompt === null ? null : [prompt],
    brandColor: i.brand_color ?? null,
    composerIcon: null,
    composerIconUrl: i.composer_icon_url ?? null,
    logo: null,
    logoDark: null,
    logoUrl: i.logo_url ?? null,
    logoUrlDark: i.logo_url_dark ?? null,
    screenshots: [],
    screenshotUrls: i.screenshot_urls ?? [],
  };
  const given = Object.values(shown).some((v) => (Array.isArray(v) ? v.length > 0 : v !== null));
  return given ? shown : null;
};

const skillOf = (skill: RemotePluginSkill, disabled: ReadonlySet<string>): Record<string, unknown> => {
  const i = skill.interface ?? {};
  const shown = {
    displayName: i.display_name ?? null,
    shortDescription: i.short_description ?? null,
    iconSmall: null,
    iconLarge: null,
    iconSmallUrl: i.icon_small_url ?? null,
    iconLargeUrl: i.icon_large_url ?? null,
    brandColor: i.brand_color ?? null,
    defaultPrompt: i.default_prompt ?? null,
  };
  return {
    name: skill.name,
    description: skill.description,
    shortDescription: i.short_description ?? null,
    interface: Object.values(shown).some((v) => v !== null) ? shown : null,
    path: null,
    enabled: !disabled.has(skill.name),
  };
};

/** Codex's `PluginSummary` of a catalog entry (in `plugin/read` and `plugin/list`); `installed`: the account's entry for it, if it has one. */
export const remotePluginSummaryOf = (
  item: RemotePluginItem,
  installed: InstalledEntry | undefined,
): E.Either<EngineError, { readonly marketplaceName: string; readonly summary: Record<string, unknown> }> =>
  decide(() => {
    const marketplaceName = takeNow(marketplaceOf(item));
    const version = item.release.version ?? null;
    const shareContext =
      item.scope === 'WORKSPACE'
        ? {
            remotePluginId: item.id,
            remoteVersion: version,
            discoverability: item.discoverability ?? null,
            shareUrl: item.share_url ?? null,
            creatorAccountUserId: item.creator_account_user_id ?? null,
            creatorName: item.creator_name ?? null,
            sharePrincipals: item.share_principals ?? null,
            canPublishToWorkspace: item.can_publish_to_workspace ?? null,
          }
        : null;
    return {
      marketplaceName,
      summary: {
        id: `${item.name}@${marketplaceName}`,
        remotePluginId: item.id,
        version,
        localVersion: installed?.release.version ?? null,
        name: item.name,
        shareContext,
        source: { type: 'remote' },
        installed: installed !== undefined,
        installedAt: null,
        enabled: installed?.enabled ?? false,
        installPolicy: item.installation_policy ?? 'AVAILABLE',
        installPolicySource: null,
        mustShowInstallationInterstitial: null,
        authPolicy: item.authentication_policy ?? 'ON_INSTALL',
        availability: 'AVAILABLE',
        disabledReason: null,
        eligiblePlanTypes: null,
        interface: interfaceOf(item),
        keywords: [],
      },
    };
  });

/**
 * Where a remote plugin's `localVersion` comes from: the account's installed release (Codex
 * 0.169.0), or the version of its bundle in the home's plugin cache (0.171.0; protocol/plugins.ts).
 */
export type RemoteLocalVersion = 'accountRelease' | 'pluginCache';

/** Codex's `PluginReadResponse` of a catalog entry; `installed`: the account's entry for it, if it has one. */
export const remotePluginDetailOf = (
  item: RemotePluginItem,
  installed: InstalledEntry | undefined,
): E.Either<EngineError, { plugin: Record<string, unknown> }> =>
  decide(() => {
    const summarised = takeNow(remotePluginSummaryOf(item, installed));
    const disabled = new Set(installed?.disabled_skill_names ?? []);
    return {
      plugin: {
        marketplaceName: summarised.marketplaceName,
        marketplacePath: null,
        summary: summarised.summary,
        shareUrl: item.share_url ?? null,
        description: nonEmpty(item.release.description),
        skills: (item.release.skills ?? []).map((s) => skillOf(s, disabled)),
        onboardingSkill: null,
        hooks: [],
        apps: (item.release.app_ids ?? []).map(appSummaryOf),
        appTemplates: [],
        mcpServers: [],
        scheduledTasks: null,
      },
    };
  });

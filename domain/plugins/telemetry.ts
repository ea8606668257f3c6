import type { PluginId } from './pluginId.js';
import { pluginKey } from './pluginId.js';

/** What Codex knows of a plugin's capabilities when it reports on it (none for a bare id). */
export interface PluginCapabilitySummary {
  readonly configName: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly hasSkills: boolean;
  readonly mcpServerNames: ReadonlyArray<string>;
  readonly appConnectorIds: ReadonlyArray<string>;
}

/**
 * The identity a plugin analytics event carries (Codex's `PluginTelemetryMetadata`): the local id
 * when resolved, the backend's id for a remotely installed plugin, the capability summary when
 * known. Immutable: built once, by the plugins manager, for every analytics path.
 */
export interface PluginTelemetryMetadata {
  readonly pluginId: PluginId | null;
  readonly remotePluginId: string | null;
  readonly capabilitySummary: PluginCapabilitySummary | null;
}

export const telemetryMetadata = (fields: PluginTelemetryMetadata): PluginTelemetryMetadata =>
  Object.freeze({
    pluginId: fields.pluginId === null ? null : Object.freeze({ ...fields.pluginId }),
    remotePluginId: fields.remotePluginId,
    capabilitySummary:
      fields.capabilitySummary === null
        ? null
        : Object.freeze({
            ...fields.capabilitySummary,
            mcpServerNames: Object.freeze([...fields.capabilitySummary.mcpServerNames]),
            appConnectorIds: Object.freeze([...fields.capabilitySummary.appConnectorIds]),
          }),
  });

/**
 * `event_params` of a plugin event: Codex's `CodexPluginMetadata` (`codex-rs/analytics/src/events.rs`),
 * same keys in the same order. `plugin_id` is the backend's remote id when the metadata carries
 * one (remote install), else `<name>@<marketplace>`; there is no separate `remote_plugin_id` key.
 */
export type CodexPluginMetadata = {
  readonly plugin_id: string | null;
  readonly plugin_name: string | null;
  readonly marketplace_name: string | null;
  readonly has_skills: boolean | null;
  readonly mcp_server_count: number | null;
  readonly connector_ids: ReadonlyArray<string> | null;
  readonly product_client_id: string | null;
};

export const codexPluginMetadata = (
  m: PluginTelemetryMetadata,
  productClientId: string | null,
): CodexPluginMetadata => ({
  plugin_id: m.remotePluginId ?? (m.pluginId === null ? null : pluginKey(m.pluginId)),
  plugin_name: m.pluginId?.pluginName ?? null,
  marketplace_name: m.pluginId?.marketplaceName ?? null,
  has_skills: m.capabilitySummary?.hasSkills ?? null,
  mcp_server_count: m.capabilitySummary === null ? null : m.capabilitySummary.mcpServerNames.length,
  connector_ids: m.capabilitySummary === null ? null : [...m.capabilitySummary.appConnectorIds],
  product_client_id: productClientId,
});

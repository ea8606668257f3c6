import type { AnalyticsEvent } from './event.js';
import type { PluginTelemetryMetadata } from '../plugins/telemetry.js';
import { codexPluginMetadata } from '../plugins/telemetry.js';

export type PluginState = 'installed' | 'uninstalled' | 'enabled' | 'disabled';

/** `codex_plugin_installed` / `_uninstalled` / `_enabled` / `_disabled`. */
export const pluginStateEvent = (
  state: PluginState,
  plugin: PluginTelemetryMetadata,
  productClientId: string | null,
): AnalyticsEvent => ({
  event_type: `codex_plugin_${state}`,
  event_params: codexPluginMetadata(plugin, productClientId),
});

export interface TurnTracking {
  readonly threadId: string;
  readonly turnId: string | null;
  readonly modelSlug: string | null;
}

/** `codex_plugin_used`: the plugin's metadata, its MCP servers, and the turn that used it. */
export const pluginUsedEvent = (
  plugin: PluginTelemetryMetadata,
  tracking: TurnTracking,
  productClientId: string | null,
): AnalyticsEvent => ({
  event_type: 'codex_plugin_used',
  event_params: {
    ...codexPluginMetadata(plugin, productClientId),
    mcp_server_names: plugin.capabilitySummary === null ? null : [...plugin.capabilitySummary.mcpServerNames],
    thread_id: tracking.threadId,
    turn_id: tracking.turnId,
    model_slug: tracking.modelSlug,
  },
});

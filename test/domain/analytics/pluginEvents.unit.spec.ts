/**
 * Golden JSON of every plugin analytics event, against the contract as Codex serializes it at the
 * remote-install-sidecar PR's version (openai/codex #27669, which "does not change analytics
 * serialization"):
 * - `codex-rs/analytics/src/events.rs`: `CodexPluginMetadata` {plugin_id, plugin_name,
 *   marketplace_name, has_skills, mcp_server_count, connector_ids, product_client_id} (field order
 *   is serde's, the struct's), `CodexPluginUsedMetadata` (the plugin metadata flattened, then
 *   mcp_server_names, thread_id, turn_id, model_slug), `plugin_state_event_type`
 *   (`codex_plugin_installed|uninstalled|enabled|disabled`), and `codex_plugin_metadata`:
 *   `plugin_id` is `remote_plugin_id.unwrap_or_else(|| plugin_id.as_key())` — no separate
 *   `remote_plugin_id` key;
 * - `codex-rs/analytics/src/analytics_client_tests.rs`: `plugin_management_event_serializes_expected_shape`,
 *   `plugin_management_event_can_use_remote_plugin_id_override` (plugin_name / marketplace_name stay local);
 * - `codex-rs/core/src/plugins/manager.rs` `plugin_telemetry_metadata_from_root`: normal metadata
 *   has `remote_plugin_id: None`; only remote install passes the backend's id.
 * The strings are compared byte for byte, so key order counts.
 */
import { expect } from 'chai';
import { pluginStateEvent, pluginUsedEvent } from '../../../domain/analytics/pluginEvents.js';
import { telemetryMetadata } from '../../../domain/plugins/telemetry.js';
import type { PluginTelemetryMetadata } from '../../../domain/plugins/telemetry.js';

const sample = (remotePluginId: string | null = null): PluginTelemetryMetadata =>
  telemetryMetadata({
    pluginId: { pluginName: 'sample', marketplaceName: 'test' },
    remotePluginId,
    capabilitySummary: {
      configName: 'sample@test',
      displayName: 'sample',
      description: null,
      hasSkills: true,
      mcpServerNames: ['mcp-1', 'mcp-2'],
      appConnectorIds: ['calendar', 'drive'],
    },
  });

const bare = telemetryMetadata({
  pluginId: { pluginName: 'sample', marketplaceName: 'test' },
  remotePluginId: null,
  capabilitySummary: null,
});

const metadataJson = (pluginId: string) =>
  `{"plugin_id":"${pluginId}","plugin_name":"sample","marketplace_name":"test","has_skills":true,"mcp_server_count":2,"connector_ids":["calendar","drive"],"product_client_id":"codex_cli_rs"}`;

describe('plugin analytics events: the JSON Codex serializes', () => {
  for (const state of ['installed', 'uninstalled', 'enabled', 'disabled'] as const) {
    it(`codex_plugin_${state} (local id)`, () => {
      expect(JSON.stringify(pluginStateEvent(state, sample(), 'codex_cli_rs'))).to.equal(
        `{"event_type":"codex_plugin_${state}","event_params":${metadataJson('sample@test')}}`,
      );
    });
  }

  it('codex_plugin_installed by a remote install: the backend id is plugin_id, name and marketplace stay local', () => {
    expect(JSON.stringify(pluginStateEvent('installed', sample('plugins~Plugin_remote'), 'codex_cli_rs'))).to.equal(
      `{"event_type":"codex_plugin_installed","event_params":${metadataJson('plugins~Plugin_remote')}}`,
    );
  });

  it('codex_plugin_used: the metadata flattened, then mcp_server_names and the turn', () => {
    const event = pluginUsedEvent(
      sample(),
      { threadId: 'thread-3', turnId: 'turn-3', modelSlug: 'gpt-5' },
      'codex_cli_rs',
    );
    expect(JSON.stringify(event)).to.equal(
      `{"event_type":"codex_plugin_used","event_params":${metadataJson('sample@test').slice(0, -1)},"mcp_server_names":["mcp-1","mcp-2"],"thread_id":"thread-3","turn_id":"turn-3","model_slug":"gpt-5"}}`,
    );
  });

  it('without a capability summary (no manifest) the capability fields are null', () => {
    expect(JSON.stringify(pluginStateEvent('enabled', bare, 'codex_cli_rs'))).to.equal(
      '{"event_type":"codex_plugin_enabled","event_params":{"plugin_id":"sample@test","plugin_name":"sample","marketplace_name":"test","has_skills":null,"mcp_server_count":null,"connector_ids":null,"product_client_id":"codex_cli_rs"}}',
    );
    expect(
      pluginUsedEvent(bare, { threadId: 't', turnId: 'u', modelSlug: 'm' }, null).event_params['mcp_server_names'],
    ).to.equal(null);
  });

  it('no event carries a remote_plugin_id key', () => {
    for (const e of [
      pluginStateEvent('uninstalled', sample('plugins~Plugin_remote'), null),
      pluginUsedEvent(sample('x'), { threadId: 't', turnId: 'u', modelSlug: 'm' }, null),
    ]) {
      expect(Object.keys(e.event_params)).not.to.include('remote_plugin_id');
    }
  });
});

import { expect } from 'chai';
import { foldLines } from '../../fixtures/foldLines.js';
import { answerAt } from '../../../protocol/itemDeltas.js';

// An MCP call's facts beyond its result, as Codex 0.169.0 writes them (the compat items scenario's
// `lookup` tool, annotated read-only and naming a UI resource): camelCase in a paginated
// `McpToolCall` item, snake_case in a legacy `mcp_tool_call_end`. The connector, plugin and app
// names (no offline home makes Codex write them) are in the source's shape: codex-rs
// protocol/src/items.rs `McpToolCallItem` and protocol.rs `McpToolCallEndEvent`.
const TURN = '01a2130c-2ef1-74d0-b6e2-d39558af1a66';
const line = (type: string, payload: Record<string, unknown>): string =>
  JSON.stringify({ timestamp: '2026-11-25T14:11:35.420Z', type, payload });
const started = line('event_msg', { type: 'task_started', turn_id: TURN, started_at: 1795615895 });
const ended = line('event_msg', { type: 'task_complete', turn_id: TURN, completed_at: 1795615895 });
const result = { content: [{ type: 'text', text: 'rollout: a word.' }], isError: false };

/** The MCP calls of the fold, as a connection speaking 0.169.0 gets them (the index holds what 0.171.0 reads too: protocol/itemDeltas.ts). */
const mcpItems = (mode: 'paginated' | 'legacy', lines: string[]): Array<Record<string, unknown>> =>
  foldLines(mode, [started, ...lines, ended])
    .flatMap((t) => t.items as unknown as Array<Record<string, unknown>>)
    .filter((i) => i.type === 'mcpToolCall')
    .map((i) => answerAt('0.169.0', i) as Record<string, unknown>);

describe('MCP tool call facts as Codex writes them', () => {
  it('reads a paginated item camelCase: readOnlyHint, mcpAppResourceUri (right after appContext), pluginId, the app context', () => {
    const [measured] = mcpItems('paginated', [
      line('event_msg', {
        type: 'item_completed',
        turn_id: TURN,
        item: {
          type: 'McpToolCall',
          id: 'call_mcp_lookup',
          server: 'compat',
          tool: 'lookup',
          arguments: { word: 'rollout' },
          mcpAppResourceUri: 'ui://compat/lookup.html',
          readOnlyHint: true,
          status: 'completed',
          result,
          duration: { secs: 0, nanos: 1_194_030 },
        },
        started_at_ms: 1795615895420,
        completed_at_ms: 1795615895421,
      }),
    ]);
    // The real app-server's answer for this line (0.169.0, measured).
    expect(measured).to.deep.equal({
      type: 'mcpToolCall',
      id: 'call_mcp_lookup',
      server: 'compat',
      tool: 'lookup',
      status: 'completed',
      arguments: { word: 'rollout' },
      appContext: null,
      mcpAppResourceUri: 'ui://compat/lookup.html',
      mcpAppUi: null,
      pluginId: null,
      readOnlyHint: true,
      result: { content: [{ type: 'text', text: 'rollout: a word.' }], structuredContent: null, _meta: null },
      error: null,
      durationMs: 1,
      startedAtMs: 1795615895420,
      completedAtMs: 1795615895421,
    });
    const [connected] = mcpItems('paginated', [
      line('event_msg', {
        type: 'item_completed',
        turn_id: TURN,
        item: {
          type: 'McpToolCall',
          id: 'call_app',
          server: 'codex_apps',
          tool: 'search',
          arguments: {},
          connectorId: 'connector_drive',
          linkId: 'link_1',
          appName: 'Drive',
          actionName: 'Search',
          pluginId: 'drive@openai',
          readOnlyHint: false,
          status: 'completed',
          result,
        },
      }),
    ]);
    expect(connected).to.deep.include({
      appContext: {
        connectorId: 'connector_drive',
        linkId: 'link_1',
        resourceUri: null,
        appName: 'Drive',
        actionName: 'Search',
      },
      pluginId: 'drive@openai',
      readOnlyHint: false,
    });
    expect(Object.keys(connected!)).to.not.include('mcpAppResourceUri');
  });

  it('reads a legacy mcp_tool_call_end snake_case', () => {
    const [item] = mcpItems('legacy', [
      line('event_msg', {
        type: 'mcp_tool_call_end',
        call_id: 'call_mcp_lookup',
        turn_id: TURN,
        invocation: { server: 'compat', tool: 'lookup', arguments: { word: 'rollout' } },
        mcp_app_resource_uri: 'ui://compat/lookup.html',
        read_only_hint: true,
        plugin_id: 'compat@local',
        duration: { secs: 0, nanos: 1_366_987 },
        result: { Ok: result },
      }),
    ]);
    expect(item).to.deep.include({
      mcpAppResourceUri: 'ui://compat/lookup.html',
      readOnlyHint: true,
      pluginId: 'compat@local',
      appContext: null,
      durationMs: 1,
    });
    expect(Object.keys(item!).slice(6, 9)).to.deep.equal(['appContext', 'mcpAppResourceUri', 'mcpAppUi']);
  });
});

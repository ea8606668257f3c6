import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { runAnalytics } from '../../../../adapters/driving/cli/commands/analytics.js';
import { runEngineCli } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import {
  IMAGE_THREADS,
  PAIR_THREAD,
  PARALLEL_PAIR,
  TOOL_THREAD,
  buildImageItemHome,
  buildParallelPairHome,
  buildToolItemHome,
} from '../../../fixtures/toolItemHome.js';

type Event = { event_type: string; event_params: Record<string, unknown> };

describe('analytics reconstruction: tool-item events from item_completed lines', function () {
  this.timeout(120_000);
  const tmp = useTempDir('tool-analytics-');
  let home: string;
  let rollout: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    rollout = await buildToolItemHome(home);
  });

  const run = async (indexDir: string, codexHome = home): Promise<string> => {
    let out = '';
    const r = await runAnalytics({ codexHome, indexDir }, (s) => (out += s));
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    return out;
  };
  const eventsOf = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);

  it('reports shell, patch, MCP and web-search items in line order, before their turn ends; durations are the rollout timestamps', async () => {
    const events = eventsOf(await run(nodePath.join(tmp(), 'index')));
    expect(events.map((e) => [e.event_type, e.event_params['item_id'] ?? null])).to.deep.equal([
      ['codex_thread_initialized', null],
      ['codex_command_execution_event', 'call_ls'],
      ['codex_command_execution_event', 'call_fail'],
      ['codex_file_change_event', 'call_patch'],
      ['codex_file_change_event', 'call_patch_declined'],
      ['codex_mcp_tool_call_event', 'call_mcp'],
      ['codex_mcp_tool_call_event', 'call_mcp_err'],
      ['codex_web_search_event', 'ws_1'],
      ['codex_turn_event', null],
    ]);
    // Durations, read back from the file itself: completed_at_ms − started_at_ms of each item line.
    const lines = (await fs.readFile(rollout, 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            payload: { type?: string; item?: { id?: string }; started_at_ms?: number; completed_at_ms?: number };
          },
      );
    const times = new Map(
      lines.filter((l) => l.payload.type === 'item_completed').map((l) => [l.payload.item?.id, l.payload]),
    );
    const tools = events.filter((e) => e.event_params['item_id'] !== undefined);
    for (const e of tools) {
      const t = times.get(e.event_params['item_id'] as string)!;
      expect(e.event_params, String(e.event_params['item_id'])).to.include({
        thread_id: TOOL_THREAD,
        turn_id: 't1',
        started_at_ms: t.started_at_ms,
        completed_at_ms: t.completed_at_ms,
        duration_ms: t.completed_at_ms! - t.started_at_ms!,
      });
    }
    expect(
      tools.map((e) => [
        e.event_params['tool_name'],
        e.event_params['terminal_status'],
        e.event_params['failure_kind'],
        e.event_params['execution_duration_ms'],
      ]),
    ).to.deep.equal([
      ['unified_exec', 'completed', null, 31],
      ['shell', 'failed', 'tool_error', 1250],
      ['apply_patch', 'completed', null, null],
      ['apply_patch', 'rejected', 'approval_denied', null],
      ['search', 'completed', null, 90],
      ['fetch', 'failed', 'tool_error', null],
      ['web_search', 'completed', null, null],
    ]);
    expect(tools[0]!.event_params).to.include({
      command_total_action_count: 2,
      command_list_files_action_count: 1,
      command_read_action_count: 1,
      exit_code: 0,
    });
    expect(tools[1]!.event_params).to.include({
      command_search_action_count: 1,
      command_unknown_action_count: 1,
      exit_code: 3,
    });
    expect(tools[2]!.event_params).to.include({
      file_change_count: 4,
      file_add_count: 1,
      file_update_count: 1,
      file_move_count: 1,
      file_delete_count: 1,
    });
    expect(tools[5]!.event_params).to.include({
      mcp_server_name: 'docs',
      mcp_tool_name: 'fetch',
      mcp_error_present: true,
    });
    expect(tools[6]!.event_params).to.include({ query_count: 2 });
  });

  it('is deterministic: byte-identical output again, from a fresh index, and through the CLI', async () => {
    const a = await run(nodePath.join(tmp(), 'index'));
    expect(await run(nodePath.join(tmp(), 'index'))).to.equal(a);
    expect(await run(nodePath.join(tmp(), 'index-fresh'))).to.equal(a);
    const cli = await runEngineCli([
      'analytics',
      '--codex-home',
      home,
      '--index-dir',
      nodePath.join(tmp(), 'index-cli'),
    ]);
    expect(cli.exitCode, cli.stderr).to.equal(0);
    expect(cli.stdout).to.equal(a);
  });

  it("a parallel pair's completion lines in either order (a before b, b before a): each command once, in the file's order, with its own times", async () => {
    // Codex's event for each of the pair, as its line says it (its times are its own, ms after the turn began).
    const expectedOf = (k: 'a' | 'b', t0: number): Record<string, unknown> => {
      const { item, started, completed } = PARALLEL_PAIR[k];
      const list = k === 'b' ? 1 : 0;
      return {
        thread_id: PAIR_THREAD,
        turn_id: 't1',
        item_id: item.id,
        runtime: { codex_rs_version: '0.169.0' },
        thread_source: 'user',
        subagent_source: null,
        parent_thread_id: null,
        tool_name: 'unified_exec',
        started_at_ms: t0 + started,
        completed_at_ms: t0 + completed,
        duration_ms: completed - started,
        execution_duration_ms: item.duration.nanos / 1_000_000,
        review_count: 0,
        guardian_review_count: 0,
        user_review_count: 0,
        final_approval_outcome: 'unknown',
        terminal_status: 'completed',
        failure_kind: null,
        requested_additional_permissions: false,
        requested_network_access: false,
        command_execution_source: 'unifiedExecStartup',
        exit_code: 0,
        command_total_action_count: 1,
        command_read_action_count: 0,
        command_list_files_action_count: list,
        command_search_action_count: 0,
        command_unknown_action_count: 1 - list,
      };
    };
    for (const first of ['a', 'b'] as const) {
      const pairHome = nodePath.join(tmp(), `pair-${first}-first`);
      const path = await buildParallelPairHome(pairHome, first);
      // The turn's start, as the file holds it: the pair's times are counted from it.
      const t0 = (await fs.readFile(path, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { payload: { type?: string; item?: { id?: string }; started_at_ms?: number } })
        .find((l) => l.payload.type === 'item_completed' && l.payload.item?.id === 'u1')!.payload.started_at_ms!;
      const events = eventsOf(await run(nodePath.join(tmp(), `pair-${first}-index`), pairHome));
      const order = first === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const);
      expect(
        events.map((e) => [e.event_type, e.event_params['item_id'] ?? null]),
        `${first} first`,
      ).to.deep.equal([
        ['codex_thread_initialized', null],
        ...order.map((k) => ['codex_command_execution_event', PARALLEL_PAIR[k].item.id]),
        ['codex_turn_event', null],
      ]);
      expect(
        events.filter((e) => e.event_type === 'codex_command_execution_event').map((e) => e.event_params),
        `${first} first`,
      ).to.deep.equal(order.map((k) => expectedOf(k, t0)));
    }
  });
  it("image generations and web searches as Codex reports the items it makes of them: a core item's snake_case fields, an extension's camelCase ones; nothing of a refused line, a sleep, or a legacy file's item lines", async () => {
    const imageHome = nodePath.join(tmp(), 'images');
    await buildImageItemHome(imageHome);
    const events = eventsOf(await run(nodePath.join(tmp(), 'images-index'), imageHome));
    const tools = events.filter((e) => e.event_params['item_id'] !== undefined);
    // reducer.rs tool_item_event on v2/item.rs's ThreadItem: ImageGeneration (core or extension), WebSearch (extension).
    expect(tools.map((e) => [e.event_params['thread_id'], e.event_type, e.event_params['item_id']])).to.deep.equal([
      [IMAGE_THREADS.paginated, 'codex_image_generation_event', 'ig_core'],
      [IMAGE_THREADS.paginated, 'codex_image_generation_event', 'ig_camel'],
      [IMAGE_THREADS.paginated, 'codex_image_generation_event', 'ig_ext'],
      [IMAGE_THREADS.paginated, 'codex_web_search_event', 'ws_ext'],
    ]);
    const of = (id: string) => tools.find((e) => e.event_params['item_id'] === id)!.event_params;
    expect(of('ig_core')).to.include({
      tool_name: 'image_generation',
      terminal_status: 'completed',
      revised_prompt_present: true,
      saved_path_present: true,
    });
    // camelCase on a core item: no field of it (Codex answered revisedPrompt null for it, passThroughFields.compat).
    expect(of('ig_camel')).to.include({
      terminal_status: 'failed',
      failure_kind: 'tool_error',
      revised_prompt_present: false,
      saved_path_present: false,
    });
    expect(of('ig_ext')).to.include({
      tool_name: 'image_generation',
      revised_prompt_present: true,
      saved_path_present: true,
      duration_ms: 43,
    });
    expect(of('ws_ext')).to.include({
      tool_name: 'web_search',
      web_search_action: 'search',
      query_present: true,
      query_count: 1,
    });
    // The legacy thread is there (initialized, its turn), without tool events.
    expect(
      events.filter((e) => e.event_params['thread_id'] === IMAGE_THREADS.legacy).map((e) => e.event_type),
    ).to.deep.equal(['codex_thread_initialized', 'codex_turn_event']);
  });
});

// Tool-item analytics reconstructed from a home the real `codex` 0.169.0 wrote: the `tool`
// scenario's shell commands (echo, a failing command, two in parallel, two in a row), in
// paginated mode, where Codex records each as an `item_completed` CommandExecution with
// `started_at_ms` / `completed_at_ms`. What is checked is our output: each command event equal to
// what its `item_completed` line says, in the order the file holds the lines (whichever order Codex
// wrote them in), and the same bytes twice. The order a parallel pair's lines come in, both ways,
// is the int spec's (test/adapters/driven/analytics/toolItemAnalytics.int.spec.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { SCENARIOS, buildScenarioHome } from './scenarios.js';
import type { CompatHome } from './scenarios.js';
import { runEngineCli } from './engineCli.js';

type Event = { event_type: string; event_params: Record<string, unknown> };
type Line = { type: string; payload: Record<string, any> };

/** The scenario's commands: echo, the failing one, the parallel pair, the two in a row. */
const COMMANDS = 6;

/** Codex's tool name and event source for a command's `source` (`command_execution_tool_name`), for the sources this scenario's commands have. */
const SOURCES: Record<string, { tool: string; source: string }> = {
  unified_exec_startup: { tool: 'unified_exec', source: 'unifiedExecStartup' },
};

/** The event a CommandExecution `item_completed` line says Codex sends: every field from the line, or Codex's value for what no line records. */
const commandEventOf = (meta: Record<string, any>, line: Record<string, any>): Record<string, unknown> => {
  const item = line['item'] as Record<string, any>;
  const kinds = ((item['parsed_cmd'] ?? []) as Array<{ type: string }>).map((p) => p.type);
  const count = (k: string): number => kinds.filter((x) => x === k).length;
  const failed = item['status'] === 'failed';
  const duration = item['duration'] as { secs: number; nanos: number } | undefined;
  return {
    thread_id: meta['id'],
    turn_id: line['turn_id'],
    item_id: item['id'],
    runtime: { codex_rs_version: meta['cli_version'] },
    thread_source: 'user',
    subagent_source: null,
    parent_thread_id: null,
    tool_name: SOURCES[item['source']]?.tool,
    started_at_ms: line['started_at_ms'],
    completed_at_ms: line['completed_at_ms'],
    duration_ms: line['completed_at_ms'] - line['started_at_ms'],
    execution_duration_ms:
      duration === undefined ? null : duration.secs * 1000 + Math.floor(duration.nanos / 1_000_000),
    review_count: 0,
    guardian_review_count: 0,
    user_review_count: 0,
    final_approval_outcome: 'unknown',
    terminal_status: failed ? 'failed' : 'completed',
    failure_kind: failed ? 'tool_error' : null,
    requested_additional_permissions: false,
    requested_network_access: false,
    command_execution_source: SOURCES[item['source']]?.source,
    exit_code: item['exit_code'] ?? null,
    command_total_action_count: kinds.length,
    command_read_action_count: count('read'),
    command_list_files_action_count: count('list_files'),
    command_search_action_count: count('search'),
    command_unknown_action_count: kinds.length - count('read') - count('list_files') - count('search'),
  };
};

const rolloutFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? rolloutFiles(nodePath.join(dir, e.name))
        : e.name.endsWith('.jsonl')
          ? [nodePath.join(dir, e.name)]
          : [],
    );

describe('analytics: tool-item events from a home the real codex wrote', function () {
  this.timeout(180_000);
  let root: string;
  let home: CompatHome;

  before(async () => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'tool-analytics-compat-'));
    home = await buildScenarioHome(
      SCENARIOS.find((s) => s.name === 'tool')!,
      'paginated',
      root,
    );
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('one codex_command_execution_event per command, each what its item_completed line says, in the file’s order, deterministic', async () => {
    const run = async (index: string) => {
      const r = await runEngineCli([
        'analytics',
        '--codex-home',
        home.codexHome,
        '--index-dir',
        nodePath.join(root, index),
      ]);
      expect(r.exitCode, r.stderr).to.equal(0);
      return r.stdout;
    };
    const out = await run('index-1');
    expect(await run('index-2')).to.equal(out);
    const commands = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event)
      .filter((e) => e.event_type === 'codex_command_execution_event')
      .map((e) => e.event_params);

    // The thread's file, line by line as Codex wrote it: what our events must say, in that order.
    const main = home.threads.find((t) => t.label === 'main')!.id;
    const [file] = rolloutFiles(nodePath.join(home.codexHome, 'sessions')).filter((f) => f.endsWith(`${main}.jsonl`));
    const lines = fs
      .readFileSync(file!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const meta = lines.find((l) => l.type === 'session_meta')!.payload;
    const expected = lines
      .filter(
        (l) =>
          l.type === 'event_msg' &&
          l.payload['type'] === 'item_completed' &&
          l.payload['item']?.['type'] === 'CommandExecution',
      )
      .map((l) => commandEventOf(meta, l.payload));

    expect(commands).to.have.length(COMMANDS);
    expect(commands).to.deep.equal(expected);
    // What the scenario's commands did, in our output: the failing one exits 3, `ls README.txt` lists files.
    expect(commands.find((e) => e['item_id'] === 'call_fail_1')).to.include({
      exit_code: 3,
      failure_kind: 'tool_error',
    });
    expect(commands.find((e) => e['item_id'] === 'call_two_b')).to.include({
      command_list_files_action_count: 1,
      command_total_action_count: 1,
    });
  });
});

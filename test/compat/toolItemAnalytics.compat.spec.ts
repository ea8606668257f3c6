// Tool-item analytics reconstructed from a home the real `codex` 0.169.0 wrote: the `tool`
// scenario's shell commands (echo, a failing command, two in parallel, two in a row), in
// paginated mode, where Codex records each as an `item_completed` CommandExecution with
// `started_at_ms` / `completed_at_ms`. Every command is reported once, with its times and duration
// exactly as the rollout holds them, and the output is the same bytes twice.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { SCENARIOS, buildScenarioHome } from './scenarios.js';
import type { CompatHome } from './scenarios.js';
import { runEngineCli } from './engineCli.js';

type Event = { event_type: string; event_params: Record<string, unknown> };

const rolloutFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? rolloutFiles(nodePath.join(dir, e.name)) : e.name.endsWith('.jsonl') ? [nodePath.join(dir, e.name)] : []));

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

  it('one codex_command_execution_event per command, its times and duration those of its item_completed line, deterministic', async () => {
    const run = async (index: string) => {
      const r = await runEngineCli(['analytics', '--codex-home', home.codexHome, '--index-dir', nodePath.join(root, index)]);
      expect(r.exitCode, r.stderr).to.equal(0);
      return r.stdout;
    };
    const out = await run('index-1');
    expect(await run('index-2')).to.equal(out);
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
    const commands = events.filter((e) => e.event_type === 'codex_command_execution_event');

    const items = rolloutFiles(nodePath.join(home.codexHome, 'sessions'))
      .flatMap((f) => fs.readFileSync(f, 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as { payload: { type?: string; turn_id?: string; started_at_ms?: number; completed_at_ms?: number; item?: Record<string, unknown> } })
      .filter((l) => l.payload.type === 'item_completed' && l.payload.item?.['type'] === 'CommandExecution')
      .map((l) => l.payload);
    // The scenario's commands, as a set: `call_two_a` and `call_two_b` run in parallel, so which
    // one Codex finishes (and writes) first is its timing, not something our output decides.
    const expected = ['call_echo_1', 'call_fail_1', 'call_two_a', 'call_two_b', 'call_seq_1', 'call_seq_2'].sort();
    expect(items.map((i) => i.item!['id'] as string).sort()).to.deep.equal(expected);
    expect(commands.map((e) => e.event_params['item_id'] as string).sort()).to.deep.equal(expected);
    for (const e of commands) {
      const i = items.find((x) => x.item!['id'] === e.event_params['item_id'])!;
      expect(typeof i.started_at_ms).to.equal('number');
      expect(e.event_params, String(e.event_params['item_id'])).to.include({
        turn_id: i.turn_id,
        started_at_ms: i.started_at_ms,
        completed_at_ms: i.completed_at_ms,
        duration_ms: i.completed_at_ms! - i.started_at_ms!,
        exit_code: i.item!['exit_code'],
        tool_name: 'unified_exec',
        command_execution_source: 'unifiedExecStartup',
        terminal_status: i.item!['status'] === 'failed' ? 'failed' : 'completed',
      });
    }
    expect(commands.find((e) => e.event_params['item_id'] === 'call_fail_1')!.event_params).to.include({ exit_code: 3, failure_kind: 'tool_error' });
    expect(commands.find((e) => e.event_params['item_id'] === 'call_two_b')!.event_params).to.include({
      command_list_files_action_count: 1,
      command_total_action_count: 1,
    });
  });
});

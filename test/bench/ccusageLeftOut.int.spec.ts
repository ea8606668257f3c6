import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { ccusageLeftOut } from '../../bench/ccusageLeftOut.js';

/** Lines in the shapes Codex 0.169.0 writes them (the real-shaped template's fork and rich homes). */
const meta = (ts: string, id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ timestamp: ts, type: 'session_meta', payload: { id, source: 'vscode', ...extra } });
const context = (ts: string, model: string) => JSON.stringify({ timestamp: ts, type: 'turn_context', payload: { model } });
const usage = (input: number, output: number) => ({
  input_tokens: input,
  cached_input_tokens: 0,
  cache_write_input_tokens: 0,
  output_tokens: output,
  reasoning_output_tokens: 5,
  total_tokens: input + output,
});
const count = (ts: string, input: number, output: number, total: number) =>
  JSON.stringify({
    timestamp: ts,
    type: 'event_msg',
    payload: { type: 'token_count', info: { total_token_usage: { ...usage(input, output), total_tokens: total }, last_token_usage: usage(input, output) } },
  });

const PARENT = '01a216d3-189b-7b42-b6ea-f3e2e72637b5';
const CHILD = '01a216d3-1a22-7920-81cf-287b880892fb';
const spawned = { parent_thread_id: PARENT, depth: 1, agent_path: '/root/helper', agent_nickname: 'Hume', agent_role: null };

describe('bench/ccusageLeftOut: the responses ccusage 20.0.24 drops as replayed parent history', () => {
  let home: string;
  const write = (id: string, lines: string[]) => {
    const dir = nodePath.join(home, 'sessions', '2026', '11', '26');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(nodePath.join(dir, `rollout-2026-11-26T07-47-43-${id}.jsonl`), `${lines.join('\n')}\n`);
  };
  const parent = () =>
    write(PARENT, [
      meta('2026-11-26T07:47:42.900Z', PARENT),
      context('2026-11-26T07:47:42.901Z', 'mock-model'),
      count('2026-11-26T07:47:42.974Z', 1100, 20, 1120),
      count('2026-11-26T07:47:43.050Z', 1200, 20, 2340),
    ]);
  beforeEach(() => (home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'ccusage-left-out-'))));
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it("prefix: a paginated fork's own first response whose usage equals its parent's first", () => {
    parent();
    const fork = (input: number) =>
      write(CHILD, [
        meta('2026-11-26T07:47:43.272Z', CHILD, { forked_from_id: PARENT, history_base: { thread_id: PARENT, end_ordinal_exclusive: 27 } }),
        context('2026-11-26T07:47:43.338Z', 'mock-model'),
        count('2026-11-26T07:47:43.412Z', input, 20, 2340 + input + 20),
      ]);
    fork(1100);
    expect(ccusageLeftOut(home).map((l) => [l.rule, l.day, l.model, l.total])).to.deep.equal([['prefix', '2026-11-26', 'mock-model', 1120]]);
    fork(1101);
    expect(ccusageLeftOut(home)).to.deep.equal([]);
  });

  it("burst: a sub-agent's first two responses within a second (999 ms dropped, 1,001 ms kept)", () => {
    parent();
    const subAgent = (second: string) =>
      write(CHILD, [
        meta('2026-11-26T07:47:48.728Z', CHILD, { source: { subagent: { thread_spawn: spawned } } }),
        context('2026-11-26T07:47:48.742Z', 'mock-model'),
        count('2026-11-26T07:47:48.860Z', 1000, 20, 1020),
        count(second, 1200, 20, 2240),
      ]);
    subAgent('2026-11-26T07:47:49.859Z');
    expect(ccusageLeftOut(home).map((l) => [l.rule, l.total])).to.deep.equal([
      ['burst', 1020],
      ['burst', 1220],
    ]);
    subAgent('2026-11-26T07:47:49.861Z');
    expect(ccusageLeftOut(home)).to.deep.equal([]);
  });

  it("a legacy fork's copies of its parent's counts are left to the parent by both; its own response is counted by both", () => {
    parent();
    write(CHILD, [
      meta('2026-11-26T07:47:43.383Z', CHILD, { forked_from_id: PARENT }),
      meta('2026-11-26T07:47:43.383Z', PARENT),
      count('2026-11-26T07:47:43.384Z', 1100, 20, 1120),
      count('2026-11-26T07:47:43.384Z', 1200, 20, 2340),
      context('2026-11-26T07:47:43.400Z', 'mock-model'),
      count('2026-11-26T07:47:43.473Z', 1100, 20, 3460),
    ]);
    expect(ccusageLeftOut(home)).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { ccusageLeftOut } from '../../bench/ccusageLeftOut.js';

/** Lines in the shapes Codex 0.169.0 writes them (the real-shaped template's fork and rich homes). */
const meta = (ts: string, id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ timestamp: ts, type: 'session_meta', payload: { id, source: 'vscode', ...extra } });
const context = (ts: string, model: string) =>
  JSON.stringify({ timestamp: ts, type: 'turn_context', payload: { model } });
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
    payload: {
      type: 'token_count',
      info: {
        total_token_usage: { ...usage(input, output), total_tokens: total },
        last_token_usage: usage(input, output),
      },
    },
  });

/** The record Codex writes before each count: the thread and response the usage belongs to. */
const record = (ts: string, threadId: string, responseId: string) =>
  JSON.stringify({
    timestamp: ts,
    type: 'token_usage_record',
    payload: { thread_id: threadId, session_id: threadId, response_id: responseId },
  });

const PARENT = '01a216d3-189b-7b42-b6ea-f3e2e72637b5';
const CHILD = '01a216d3-1a22-7920-81cf-287b880892fb';
const OTHER_CHILD = '01a216d3-1b10-7c01-9d2e-3a4b5c6d7e8f';
const spawned = {
  parent_thread_id: PARENT,
  depth: 1,
  agent_path: '/root/helper',
  agent_nickname: 'Hume',
  agent_role: null,
};

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
        meta('2026-11-26T07:47:43.272Z', CHILD, {
          forked_from_id: PARENT,
          history_base: { thread_id: PARENT, end_ordinal_exclusive: 27 },
        }),
        context('2026-11-26T07:47:43.338Z', 'mock-model'),
        count('2026-11-26T07:47:43.412Z', input, 20, 2340 + input + 20),
      ]);
    fork(1100);
    expect(ccusageLeftOut(home).map((l) => [l.rule, l.day, l.model, l.total])).to.deep.equal([
      ['prefix', '2026-11-26', 'mock-model', 1120],
    ]);
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

  it("burst: the leading run each less than a second after the one before (1.9 s after the first), a fork's as a sub-agent's", () => {
    parent();
    const fork = (fourth: string) =>
      write(CHILD, [
        meta('2026-11-26T07:47:43.000Z', CHILD, {
          forked_from_id: PARENT,
          history_base: { thread_id: PARENT, end_ordinal_exclusive: 27 },
        }),
        context('2026-11-26T07:47:43.001Z', 'mock-model'),
        count('2026-11-26T07:47:43.100Z', 1000, 20, 1020),
        count('2026-11-26T07:47:43.200Z', 1200, 20, 2240),
        count('2026-11-26T07:47:44.100Z', 1300, 20, 3560),
        count(fourth, 1400, 20, 4980),
      ]);
    fork('2026-11-26T07:47:45.000Z');
    expect(ccusageLeftOut(home).map((l) => [l.rule, l.total])).to.deep.equal([
      ['burst', 1020],
      ['burst', 1220],
      ['burst', 1320],
      ['burst', 1420],
    ]);
    fork('2026-11-26T07:47:45.200Z');
    expect(ccusageLeftOut(home).map((l) => l.total)).to.deep.equal([1020, 1220, 1320]);
  });

  it("a legacy fork whose parent has no file: its leading burst dropped, the parent's copied responses left out once (we count them once)", () => {
    // A partial last clone of the bench's 1 GB home: the forks cloned, their parent not.
    const legacyFork = (id: string, own: string) =>
      write(id, [
        meta('2026-11-26T07:47:43.383Z', id, { forked_from_id: PARENT }),
        meta('2026-11-26T07:47:43.383Z', PARENT),
        record('2026-11-26T07:47:43.384Z', PARENT, 'resp_0001'),
        count('2026-11-26T07:47:43.384Z', 1100, 20, 1120),
        record('2026-11-26T07:47:43.384Z', PARENT, 'resp_0002'),
        count('2026-11-26T07:47:43.384Z', 1200, 20, 2340),
        context('2026-11-26T07:47:43.400Z', 'mock-model'),
        record('2026-11-26T07:47:43.469Z', id, 'resp_0010'),
        count(own, 1100, 20, 3460),
      ]);
    legacyFork(CHILD, '2026-11-26T07:47:43.473Z');
    legacyFork(OTHER_CHILD, '2026-11-26T07:47:43.473Z');
    expect(ccusageLeftOut(home).map((l) => [l.rule, l.rollout.slice(-42, -6), l.total])).to.deep.equal([
      ['burst', CHILD, 1120],
      ['burst', OTHER_CHILD, 1120],
      ['burst', CHILD, 1120],
      ['burst', CHILD, 1220],
    ]);
    // A fork that copied the first response only and answered 1.1 s later: no burst, ccusage counts that copy there; the second copy is still left out once.
    write(OTHER_CHILD, [
      meta('2026-11-26T07:47:43.383Z', OTHER_CHILD, { forked_from_id: PARENT }),
      meta('2026-11-26T07:47:43.383Z', PARENT),
      record('2026-11-26T07:47:43.384Z', PARENT, 'resp_0001'),
      count('2026-11-26T07:47:43.384Z', 1100, 20, 1120),
      context('2026-11-26T07:47:43.400Z', 'mock-model'),
      record('2026-11-26T07:47:44.480Z', OTHER_CHILD, 'resp_0010'),
      count('2026-11-26T07:47:44.484Z', 1100, 20, 2240),
    ]);
    expect(ccusageLeftOut(home).map((l) => [l.rollout.slice(-42, -6), l.total])).to.deep.equal([
      [CHILD, 1120],
      [CHILD, 1220],
    ]);
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

// Issue 68 (finding 2), one line bricked the home: a `token_count` line with a value nested 3,000
// deep (6 KB) parsed, its `info` was stored whole in a tokenCounts row, and msgpackr's recursive
// pack overflowed the stack in every index commit (`Maximum call stack size exceeded`): `threads`,
// `index`, `repair`, `read`, `search` exited 1, a restarted `serve` failed `thread/list` and
// `thread/read`. One `rollout/append` planted it (the request's 127-level bound does not see into a
// line's string): answered -32603, the line left on disk. Now every JSON text that enters is parsed
// by one bounded parse (domain/jsonNesting.ts `parseJson`, serde_json's 127 levels — Codex reads
// rollout lines with serde_json and cannot read such a line either): the line is quarantined like
// any bad line, and `rollout/append` refuses it (-32602) before anything is written.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { newThread } from '../projections/synth.js';
import { reportArea } from './areaSummary.js';
import { openServe } from './sharedHome.js';

/** The depth the finding planted: a few KB of brackets. */
const PLANTED_DEPTH = 3_000;
/** serde_json's levels (codex-rs parses each rollout line with serde_json::from_str: 127 levels read, the 128th refused). */
const SERDE_LEVELS = 127;

const usage = {
  input_tokens: 1,
  cached_input_tokens: 0,
  output_tokens: 1,
  reasoning_output_tokens: 0,
  total_tokens: 2,
};
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
/** A `token_count` line whose `info` holds a value nested `depth` levels below it (the line: depth + 3 levels). */
const tokenCountLine = (ordinal: number, depth: number): string =>
  `{"timestamp":"2026-11-21T14:10:00.000Z","ordinal":${ordinal},"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":${JSON.stringify(usage)},` +
  `"last_token_usage":${JSON.stringify(usage)},"model_context_window":190000,"deep":${JSON.stringify(nested(depth))}},"rate_limits":null}}`;

const lastOrdinalOf = (path: string): number =>
  Math.max(
    ...fs
      .readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { ordinal: number }).ordinal),
  );

const figures = {
  commands: 0,
  failedCommands: 0,
  stackOverflows: 0,
  quarantinedLines: 0,
  rpcFailures: 0,
  appendsRefused: 0,
  bytesWrittenByRefusedAppends: 0,
};

describe('reliability · a line nested deeper than serde_json reads (one bounded JSON parse)', function () {
  this.timeout(240_000);
  const tmp = useTempDir('deep-nesting-');
  const planted = newThread(68);
  const appended = newThread(69);
  let home: string;
  let plantedPath: string;
  let appendedPath: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    plantedPath = await writeSynthThread(home, planted, 2);
    appendedPath = await writeSynthThread(home, appended, 2);
    const line = tokenCountLine(lastOrdinalOf(plantedPath) + 1, PLANTED_DEPTH);
    expect(line.length).to.be.below(8_000);
    fs.appendFileSync(plantedPath, `${line}\n`);
  });

  after(() => reportArea('deep nesting', figures));

  it('a token_count line nested 3,000 deep is quarantined like any bad line: threads, index, verify, repair, read, items, turns, search, tokens exit 0 and list and read the thread', () => {
    const runs: Array<[string, ...string[]]> = [
      ['threads'],
      ['index'],
      ['verify'],
      ['repair'],
      ['threads'],
      ['read', planted.threadId],
      ['items', planted.threadId],
      ['turns', planted.threadId],
      ['search', 'hello'],
      ['tokens'],
    ];
    const failures: string[] = [];
    for (const args of runs) {
      const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args, '--codex-home', home], { encoding: 'utf8' });
      figures.commands += 1;
      if (r.stderr.includes('Maximum call stack')) figures.stackOverflows += 1;
      if (r.status !== 0) {
        figures.failedCommands += 1;
        failures.push(`${args[0]}: exit ${r.status}: ${r.stderr.slice(0, 200)}`);
      } else if (
        (args[0] === 'threads' || args[0] === 'read') &&
        !r.stdout.includes(planted.threadId.slice(0, 8)) &&
        !r.stdout.includes('hello')
      )
        failures.push(`${args[0]}: the thread is missing: ${r.stdout.slice(0, 200)}`);
    }
    expect(failures).to.deep.equal([]);
    const quarantined = fs
      .readFileSync(nodePath.join(home, '.rollout-engine', 'quarantine.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { path: string; reason: string });
    const ours = quarantined.filter((q) => q.path === plantedPath);
    figures.quarantinedLines = ours.length;
    expect(ours.length).to.be.greaterThan(0);
    expect(
      ours.every((q) => /^nested deeper than 127 levels/.test(q.reason)),
      JSON.stringify(ours.map((q) => q.reason)),
    ).to.equal(true);
  });

  it('a restarted serve answers thread/list and thread/read with the thread (the line left out)', async () => {
    const s = await openServe(home);
    try {
      const list = await s.request('thread/list', {});
      const read = await s.request('thread/read', { threadId: planted.threadId, includeTurns: true });
      for (const a of [list, read]) if ('error' in a) figures.rpcFailures += 1;
      expect(list, JSON.stringify(list).slice(0, 300)).to.have.property('result');
      expect((list as { result: { data: Array<{ id: string }> } }).result.data.map((t) => t.id)).to.include(
        planted.threadId,
      );
      expect(read, JSON.stringify(read).slice(0, 300)).to.have.property('result');
      expect((read as { result: { thread: { turns: unknown[] } } }).result.thread.turns).to.have.length(2);
    } finally {
      await s.close();
    }
  });

  it("rollout/append refuses a line nested 3,000 deep (and one of 128 levels) with -32602 and writes nothing; serde_json's 127 levels are appended and indexed", async () => {
    const s = await openServe(home);
    try {
      const expectedOrdinal = lastOrdinalOf(appendedPath) + 1;
      // The line's levels: envelope, payload, info, then the nested value.
      for (const [key, depth] of [
        ['deep-3000', PLANTED_DEPTH],
        ['deep-128', SERDE_LEVELS + 1 - 3],
      ] as const) {
        const before = fs.readFileSync(appendedPath);
        const r = await s.request('rollout/append', {
          threadId: appended.threadId,
          lines: [tokenCountLine(expectedOrdinal, depth)],
          expectedOrdinal,
          idempotencyKey: key,
        });
        const after = fs.readFileSync(appendedPath);
        figures.bytesWrittenByRefusedAppends += after.length - before.length;
        expect(r, `${key}: ${JSON.stringify(r).slice(0, 300)}`).to.have.property('error');
        const { code, message } = (r as { error: { code: number; message: string } }).error;
        expect(code, message).to.equal(-32602);
        expect(message).to.match(/nested deeper than 127 levels/);
        figures.appendsRefused += 1;
        expect(after.equals(before), `${key}: the file changed`).to.equal(true);
      }
      const ok = await s.request('rollout/append', {
        threadId: appended.threadId,
        lines: [tokenCountLine(expectedOrdinal, SERDE_LEVELS - 3)],
        expectedOrdinal,
        idempotencyKey: 'deep-127',
      });
      expect(ok, JSON.stringify(ok).slice(0, 300)).to.have.property('result');
      const read = await s.request('thread/read', { threadId: appended.threadId, includeTurns: true });
      expect(read, JSON.stringify(read).slice(0, 300)).to.have.property('result');
    } finally {
      await s.close();
    }
  });
});

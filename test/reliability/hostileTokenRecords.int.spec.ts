// Issue 51 (finding 2), records of a home that failed or poisoned every token report: one
// timestamp that is no date (`2026-13-45T…`) failed the day, week and month reports and `tokens
// --json` (exit 1; over JSON-RPC -32603); a model named `constructor` or `toString` made the cost
// NaN; two records of 1e308 tokens made the totals Infinity (`null` in JSON); `--since 2026-13-45`
// was read as 2027-02-14; a turn `__proto__` was left out of `rolloutEngine/thread/itemKinds`.
// Now each such record is skipped and counted (`skippedRecords`), impossible dates are refused by
// the one reading of a bound (CLI and JSON-RPC), and what is keyed by the home's names has no prototype.
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

const GOOD_AT = '2026-11-21T15:00:00.000Z';
const SKIPPED = { badTimestamp: 1, tokensOutOfRange: 2 };
const CLI_GROUPINGS = ['day', 'day-utc', 'week', 'month', 'model', 'turn', 'block'] as const;
const RPC_GROUPINGS = ['dayLocal', 'dayUtc', 'week', 'month', 'model', 'turn'] as const;

const figures = {
  reports: 0,
  failedReports: 0,
  nonFiniteNumbers: 0,
  skippedRecords: 0,
  refusedDates: 0,
  protoTurnsFound: 0,
};

const tokens = (...args: string[]) =>
  spawnSync(process.execPath, [ENGINE_CLI_PATH, 'tokens', ...args, '-q'], { encoding: 'utf8' });

/** Every number of an answer that is not finite, or a total JSON carried as null (Infinity and NaN print as null). */
const badNumbers = (v: unknown, path = ''): string[] =>
  typeof v === 'number'
    ? Number.isFinite(v)
      ? []
      : [path]
    : v === null && /(Tokens|responses)$/.test(path)
      ? [path]
      : typeof v === 'object' && v !== null
        ? Object.entries(v).flatMap(([k, x]) => badNumbers(x, `${path}.${k}`))
        : [];

describe('reliability · hostile token records (a timestamp that is no date, constructor, 1e308, __proto__)', function () {
  this.timeout(240_000);
  const tmp = useTempDir('hostile-tokens-');
  let home: string;
  let pricing: string;
  const hostile = newThread(2);

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    await writeSynthThread(home, newThread(1), 2);
    const path = await writeSynthThread(home, hostile, 2);
    // Its first turn is `__proto__`, and after its turns come the hostile records.
    const lines = fs
      .readFileSync(path, 'utf8')
      .replace(new RegExp(`turn-${hostile.threadId.slice(0, 8)}-1"`, 'g'), '__proto__"')
      .split('\n')
      .filter((l) => l !== '');
    const rows = lines.map((l) => JSON.parse(l) as { ordinal: number; type: string; payload: Record<string, unknown> });
    const record = rows.find((r) => r.type === 'token_usage_record')!;
    let ordinal = Math.max(...rows.map((r) => r.ordinal));
    const line = (timestamp: string, type: string, payload: Record<string, unknown>): string =>
      JSON.stringify({ timestamp, ordinal: ++ordinal, type, payload });
    const model = (name: string): string =>
      line(GOOD_AT, 'turn_context', { turn_id: 'turn-hostile', cwd: '/work', model: name, effort: 'low' });
    const usage = (n: number) => ({
      input_tokens: n,
      cached_input_tokens: 0,
      output_tokens: n,
      reasoning_output_tokens: 0,
      total_tokens: n,
    });
    let id = 0;
    const rec = (timestamp: string, n: number): string =>
      line(timestamp, 'token_usage_record', {
        ...record.payload,
        turn_id: 'turn-hostile',
        response_id: `resp_hostile_${++id}`,
        usage: usage(n),
      });
    const added = [
      model('constructor'),
      rec(GOOD_AT, 100),
      model('toString'),
      rec(GOOD_AT, 100),
      model('mock-model'),
      rec('2026-13-45T00:00:00Z', 100),
      rec(GOOD_AT, 1e308),
      rec(GOOD_AT, 1e308),
    ];
    fs.writeFileSync(path, `${[...lines, ...added].join('\n')}\n`);
    pricing = nodePath.join(tmp(), 'prices.json');
    fs.writeFileSync(
      pricing,
      JSON.stringify({
        source: 'test',
        asOf: '2026-11-25',
        models: { 'mock-model': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 } },
      }),
    );
  });
  after(() => reportArea('hostile token records', figures));

  it('tokens --json, and --by each grouping: answered, every number finite, the three records skipped and said why, the two models unpriced', () => {
    for (const by of [undefined, ...CLI_GROUPINGS]) {
      const r = tokens('--codex-home', home, '--pricing', pricing, '--json', ...(by === undefined ? [] : ['--by', by]));
      figures.reports += 1;
      if (r.status !== 0) figures.failedReports += 1;
      expect(r.status, `tokens --by ${by ?? '(none)'}: ${r.stderr.slice(0, 400)}`).to.equal(0);
      const out = JSON.parse(r.stdout) as {
        skippedRecords: unknown;
        unpricedModels: string[];
        total: { costUsd: unknown };
      };
      const bad = badNumbers(out);
      figures.nonFiniteNumbers += bad.length;
      expect(bad, `tokens --by ${by ?? '(none)'}`).to.deep.equal([]);
      expect(out.skippedRecords).to.deep.equal(SKIPPED);
      expect(out.unpricedModels).to.deep.equal(['constructor', 'toString']);
    }
    figures.skippedRecords = SKIPPED.badTimestamp + SKIPPED.tokensOutOfRange;
    const table = tokens('--codex-home', home, '--pricing', pricing, '--by', 'model');
    expect(table.status, table.stderr).to.equal(0);
    expect(table.stdout).to.not.match(/NaN|Infinity/);
    expect(table.stdout).to.contain(
      'skipped 3 records: 1 with a timestamp that is no date, 2 with token counts out of range',
    );
  });

  it('--since / --until with an impossible date: refused (exit 2) with the field that is wrong', () => {
    for (const [flag, value, why] of [
      ['--since', '2026-13-45', 'month 13'],
      ['--until', '2026-02-30', 'day 30'],
      ['--since', '2026-11-21T24:00', 'hour 24'],
    ] as const) {
      const r = tokens('--codex-home', home, flag, value, '--json');
      figures.refusedDates += r.status === 2 ? 1 : 0;
      expect(r.status, `${flag} ${value}: ${r.stdout.slice(0, 200)}`).to.equal(2);
      expect(r.stderr).to.contain(flag).and.contain(why);
    }
  });

  it('serve: rolloutEngine/tokens/report answers each grouping with the records skipped, refuses an impossible date; itemKinds finds the turn __proto__', async () => {
    const s = await openServe(home);
    try {
      for (const by of RPC_GROUPINGS) {
        figures.reports += 1;
        const r = await s.request('rolloutEngine/tokens/report', { by });
        if ('error' in r) figures.failedReports += 1;
        expect('error' in r ? r.error : null, `by ${by}`).to.equal(null);
        const result = (r as { result: { skippedRecords: unknown } }).result;
        expect(badNumbers(result), `by ${by}`).to.deep.equal([]);
        expect(result.skippedRecords).to.deep.equal(SKIPPED);
      }
      for (const since of ['2026-13-45', '2026-02-30T00:00:00Z']) {
        const refused = await s.request('rolloutEngine/tokens/report', { since });
        if ('error' in refused) figures.refusedDates += 1;
        expect('error' in refused && refused.error.message, since)
          .to.contain('since')
          .and.contain('not a date');
      }
      const kinds = await s.typed.request('rolloutEngine/thread/itemKinds', {
        threadId: hostile.threadId,
        turnIds: ['__proto__'],
      });
      expect(Object.hasOwn(kinds.turns, '__proto__'), JSON.stringify(kinds)).to.equal(true);
      figures.protoTurnsFound = Object.keys(kinds.turns).length;
      // A synthetic first turn: a user message, its reasoning and the answer; exactly as the same
      // turn of its sibling thread, written alike under its own id.
      const sibling = newThread(1);
      const siblingTurn = `turn-${sibling.threadId.slice(0, 8)}-1`;
      const expected = await s.typed.request('rolloutEngine/thread/itemKinds', {
        threadId: sibling.threadId,
        turnIds: [siblingTurn],
      });
      expect(expected.turns[siblingTurn]).to.deep.equal({ userMessage: 1, reasoning: 1, agentMessage: 1 });
      expect(kinds.turns['__proto__']).to.deep.equal(expected.turns[siblingTurn]);
    } finally {
      await s.close();
    }
  });
});

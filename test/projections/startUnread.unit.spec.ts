// Issue 69, a first session_meta whose `timestamp` is no RFC 3339 time: Codex's file scan and its
// rollout reads answer the thread's start as the time of the request (`ThreadRow.startUnread`),
// its state DB the file name's. The answers are compared with the binary in
// test/compat/fuzzShrunkHomes.compat.spec.ts (20261130:25:2:0, 20261153:222:0:0:1:1).
import { expect } from 'chai';
import { foldedRows } from '../fixtures/foldedRows.js';

const ID = '019a0000-0000-7000-8000-000000000047';
const PATH = `/home/sessions/2026/11/21/rollout-2026-11-21T09-00-00-${ID}.jsonl`;
const metaLine = (timestamp: string): string =>
  JSON.stringify({
    timestamp: '2026-11-21T09:30:00.000Z',
    type: 'session_meta',
    payload: {
      id: ID,
      timestamp,
      cwd: '/work/project',
      originator: 'codex_cli_rs',
      cli_version: '0.169.0',
      source: 'cli',
      model_provider: 'mock',
    },
  });

/** The thread row of a file whose first line is a meta of `timestamp`, folded as the indexer folds it. */
const threadOf = (timestamp: string) => foldedRows(PATH, ID, [metaLine(timestamp)]).thread!;

describe('a thread row whose start Codex reads as the time of the request (issue 69)', () => {
  it('an RFC 3339 time is read: no mark, the row dated by it', () => {
    const row = threadOf('2026-11-21T09:30:00.250+02:00');
    expect(row.startUnread).to.equal(undefined);
    expect(row.createdAt).to.equal(Date.parse('2026-11-21T07:30:00Z') / 1000);
  });

  for (const [what, timestamp] of [
    ['empty', ''],
    ['a word', 'unknown_variant_x'],
    // The file name's form: Codex's state DB reads it (`parse_timestamp_to_utc`), its file scan not.
    ["the file name's form", '2026-11-21T09-30-00'],
    ['a day its month does not have', '2026-11-31T09:30:00Z'],
  ] as const)
    it(`${what}: marked, the row keeping the state DB's date`, () => {
      const row = threadOf(timestamp);
      expect(row.startUnread).to.equal(true);
      expect(row.createdAt).to.equal(
        timestamp === '2026-11-21T09-30-00'
          ? Date.parse('2026-11-21T09:30:00Z') / 1000
          : Date.parse('2026-11-21T09:00:00Z') / 1000,
      );
    });
});

// thread/search from the index (replay/searchThreads.ts: signatures narrow, stored texts verify)
// answers as the brute-force scan of every listed thread's rollout file (test/oracle/searchByScan.ts),
// for generated homes whose messages mix case variants, non-ASCII letters, whitespace and the
// user-message prefix, and for random substrings (case flipped) and random short terms.
import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import type { SearchThreadsQuery } from '../../replay/searchThreads.js';
import { searchThreads } from '../../replay/searchThreads.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { searchThreadsByScan } from '../oracle/searchByScan.js';
import { openMutationHome, right } from './mutationHome.js';

const BASE_MS = Date.UTC(2026, 10, 21, 14, 0, 0);
/** Letters whose case folding differs between simple and full folding, or across scripts. */
const ALPHABET = ['a', 'A', 'b', 'é', 'É', 'ß', 'ẞ', 'σ', 'ς', 'Σ', 'k', 'K', 'K', 'ı', 'i', 'İ', '✓', '😀', ' ', ' ', '\n', '\t', '"', '\\'];
const text = fc.array(fc.constantFrom(...ALPHABET), { minLength: 0, maxLength: 24 }).map((cs) => cs.join(''));
const message = fc.oneof({ arbitrary: text, weight: 5 }, { arbitrary: text.map((t) => `context\n## My request for Codex:\n${t}`), weight: 1 });

interface ThreadSpec {
  readonly mode: HistoryMode;
  readonly startMs: number;
  readonly turns: ReadonlyArray<readonly [string, string]>;
}

const threadSpec: fc.Arbitrary<ThreadSpec> = fc.record({
  mode: fc.constantFrom<HistoryMode>('paginated', 'legacy'),
  startMs: fc.constantFrom(0, 0, 400, 1000, 1700, 3000).map((d) => BASE_MS + d),
  turns: fc.array(fc.tuple(message, message), { minLength: 1, maxLength: 3 }),
});

const idOf = (i: number): string => `01a1fe85-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
const nameOf = (id: string, ms: number): string => `rollout-${new Date(ms).toISOString().slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`;

const flipCase = (s: string, flips: ReadonlyArray<boolean>): string =>
  [...s].map((c, i) => (flips[i % Math.max(1, flips.length)] === true ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');

/** A term: a piece of some message (case flipped here and there), or a few letters of the alphabet. */
const termFor = (specs: ReadonlyArray<ThreadSpec>): fc.Arbitrary<string> => {
  const texts = specs.flatMap((s) => s.turns.flat()).filter((t) => t.length > 0);
  const piece =
    texts.length === 0
      ? text
      : fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { maxLength: 8 })).map(([t, at, len, flips]) => {
          const cps = [...t];
          const from = at % cps.length;
          return flipCase(cps.slice(from, from + len).join(''), flips);
        });
  return fc.oneof(
    { arbitrary: piece, weight: 3 },
    { arbitrary: fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 4 }).map((c) => c.join('')), weight: 1 },
  );
};

const query = (term: string): fc.Arbitrary<SearchThreadsQuery> =>
  fc.record({
    searchTerm: fc.constant(term),
    limit: fc.integer({ min: 1, max: 4 }),
    sortKey: fc.constantFrom('created_at' as const, 'updated_at' as const, 'recency_at' as const),
    sortDirection: fc.constantFrom('asc' as const, 'desc' as const),
  });

const withHome = async (specs: ReadonlyArray<ThreadSpec>, run: (ports: HistoryReadPorts) => Promise<void>): Promise<void> => {
  const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 're-searchprop-'));
  try {
    const day = nodePath.join(home, 'sessions', '2026', '11', '21');
    fs.mkdirSync(day, { recursive: true });
    specs.forEach((s, i) => {
      const w = new RolloutWriter(s.mode, idOf(i), { startMs: s.startMs }).sessionMeta();
      s.turns.forEach(([user, answer], t) => w.chatTurn(`t${t}`, user, answer));
      fs.writeFileSync(nodePath.join(day, nameOf(idOf(i), s.startMs)), w.text());
    });
    const m = await openMutationHome(home);
    try {
      await right(m.ports.indexer.refreshAll());
      await run(m.ports);
    } finally {
      await m.close();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
};

/** The pages of a cursor chain from both, equal page by page (at most `pages`: ascending chains can repeat, as Codex's do). */
const expectSameChain = async (ports: HistoryReadPorts, q: SearchThreadsQuery, pages = 4): Promise<number> => {
  let cursor: string | null = null;
  let found = 0;
  for (let n = 0; n < pages; n++) {
    const asked: SearchThreadsQuery = { ...q, cursor };
    const indexed = await searchThreads(ports, asked)();
    const scanned = await searchThreadsByScan(ports, asked);
    if (scanned === 'rejected') {
      expect(E.isLeft(indexed), JSON.stringify(asked)).to.equal(true);
      return found;
    }
    expect(E.isRight(indexed) ? indexed.right : indexed.left, JSON.stringify(asked)).to.deep.equal(scanned);
    found += scanned.data.length;
    if (scanned.nextCursor === null) return found;
    cursor = scanned.nextCursor;
  }
  return found;
};

describe('thread/search: the index answers as a brute-force scan of the rollout files', function () {
  this.timeout(300_000);

  it('for generated homes, random substrings and short terms, both orders and cursor chains', async () => {
    let found = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(threadSpec, { minLength: 1, maxLength: 8 })
          .chain((specs) => fc.tuple(fc.constant(specs), fc.array(termFor(specs).chain(query), { minLength: 1, maxLength: 6 }))),
        async ([specs, qs]) =>
          withHome(specs, async (ports) => {
            for (const q of qs) found += await expectSameChain(ports, q);
          }),
      ),
      { numRuns: 40 },
    );
    // The generated terms do find threads (a property over empty answers only would prove little).
    expect(found).to.be.greaterThan(20);
  });
});

// thread/search from the index (replay/history/searchThreads.ts: signatures narrow, stored texts verify)
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
import type { SearchThreadsQuery } from '../../replay/history/searchThreads.js';
import { searchThreads } from '../../replay/history/searchThreads.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { searchThreadsByScan } from '../oracle/searchByScan.js';
import { revertThread } from '../../replay/mutations/revertThread.js';
import { openMutationHome, right, rolloutName, writeRollout } from './mutationHome.js';

const BASE_MS = Date.UTC(2026, 10, 21, 14, 0, 0);
/** Letters whose case folding differs between simple and full folding, or across scripts. */
const ALPHABET = [
  'a',
  'A',
  'b',
  'é',
  'É',
  'ß',
  'ẞ',
  'σ',
  'ς',
  'Σ',
  'k',
  'K',
  'K',
  'ı',
  'i',
  'İ',
  '✓',
  '😀',
  ' ',
  ' ',
  '\n',
  '\t',
  '"',
  '\\',
];
const text = fc.array(fc.constantFrom(...ALPHABET), { minLength: 0, maxLength: 24 }).map((cs) => cs.join(''));
const message = fc.oneof(
  { arbitrary: text, weight: 5 },
  { arbitrary: text.map((t) => `context\n## My request for Codex:\n${t}`), weight: 1 },
);

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
const nameOf = (id: string, ms: number): string =>
  `rollout-${new Date(ms).toISOString().slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`;

const flipCase = (s: string, flips: ReadonlyArray<boolean>): string =>
  [...s]
    .map((c, i) =>
      flips[i % Math.max(1, flips.length)] === true ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c,
    )
    .join('');

/** A term: a piece of some message (case flipped here and there), or a few letters of the alphabet. */
const termFor = (specs: ReadonlyArray<ThreadSpec>): fc.Arbitrary<string> => {
  const texts = specs.flatMap((s) => s.turns.flat()).filter((t) => t.length > 0);
  const piece =
    texts.length === 0
      ? text
      : fc
          .tuple(
            fc.constantFrom(...texts),
            fc.nat(),
            fc.integer({ min: 1, max: 8 }),
            fc.array(fc.boolean(), { maxLength: 8 }),
          )
          .map(([t, at, len, flips]) => {
            const cps = [...t];
            const from = at % cps.length;
            return flipCase(cps.slice(from, from + len).join(''), flips);
          });
  return fc.oneof(
    { arbitrary: piece, weight: 3 },
    {
      arbitrary: fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 4 }).map((c) => c.join('')),
      weight: 1,
    },
  );
};

const query = (term: string): fc.Arbitrary<SearchThreadsQuery> =>
  fc.record({
    searchTerm: fc.constant(term),
    limit: fc.integer({ min: 1, max: 4 }),
    sortKey: fc.constantFrom('created_at' as const, 'updated_at' as const, 'recency_at' as const),
    sortDirection: fc.constantFrom('asc' as const, 'desc' as const),
  });

const withHome = async (
  specs: ReadonlyArray<ThreadSpec>,
  run: (ports: HistoryReadPorts) => Promise<void>,
): Promise<void> => {
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
          .chain((specs) =>
            fc.tuple(fc.constant(specs), fc.array(termFor(specs).chain(query), { minLength: 1, maxLength: 6 })),
          ),
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

  it('a long walk with sparse matches (every signature read at once): threads whose current file is a revision found by it, their older files not', async () => {
    const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 're-searchsweep-'));
    try {
      // 120 threads, a marker in a few: in an original file (5), in a revision's own lines (3),
      // and in an original file a revision replaced (2: not found, as in Codex).
      const ids = Array.from({ length: 120 }, (_, i) => idOf(1000 + i));
      const inOriginal = new Set([ids[3]!, ids[40]!, ids[77]!, ids[90]!, ids[118]!]);
      const inRevision = [ids[10]!, ids[65]!, ids[101]!];
      const replaced = [ids[20]!, ids[88]!];
      ids.forEach((id, i) => {
        const w = new RolloutWriter('paginated', id, { startMs: BASE_MS + i * 1000 }).sessionMeta();
        w.chatTurn('t0', `question ${i}`, `answer ${i}`);
        w.chatTurn(
          't1',
          inOriginal.has(id) || replaced.includes(id) ? `look for zq marker ${i}` : `more words ${i}`,
          'fine',
        );
        writeRollout(home, rolloutName(id), w.text());
      });
      const m = await openMutationHome(home);
      try {
        for (const id of [...inRevision, ...replaced]) {
          const r = await right(revertThread(m.ports, { threadId: id, beforeTurnId: 't1' }));
          if (!inRevision.includes(id)) continue;
          const lines = fs.readFileSync(r.written.path, 'utf8').trimEnd().split('\n');
          const next = (JSON.parse(lines[lines.length - 1]!) as { ordinal: number }).ordinal + 1;
          fs.appendFileSync(
            r.written.path,
            new RolloutWriter('paginated', id, {
              startOrdinal: next,
              startMs: BASE_MS + 500_000 + inRevision.indexOf(id) * 1000,
            })
              .chatTurn('t2', 'the ZQ Marker again', 'ok')
              .text(),
          );
        }
        await right(m.ports.indexer.refreshAll());
        const expected = new Set([...inOriginal, ...inRevision]);
        for (const sortDirection of ['asc', 'desc'] as const)
          for (const limit of [2, 3, 25]) {
            const seen = new Set<string>();
            let cursor: string | null = null;
            for (let n = 0; n < 10; n++) {
              // By the last line's time: each thread in a second of its own (the revisions were all created in this one).
              const q: SearchThreadsQuery = {
                searchTerm: 'zq marker',
                limit,
                sortKey: 'updated_at',
                sortDirection,
                cursor,
              };
              const indexed = await right(searchThreads(m.ports, q));
              expect(indexed, JSON.stringify(q)).to.deep.equal(await searchThreadsByScan(m.ports, q));
              for (const d of indexed.data) seen.add(d.thread.id);
              if (indexed.nextCursor === null) break;
              cursor = indexed.nextCursor;
            }
            expect([...seen].sort(), `${sortDirection} ${limit}`).to.deep.equal([...expected].sort());
          }
        // No match at all: the sweep ends the walk.
        expect((await right(searchThreads(m.ports, { searchTerm: 'no such words' }))).data).to.deep.equal([]);
      } finally {
        await m.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('signatures kept in memory between searches are read again once the index changes: a term written after a search is found by the next', async () => {
    const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 're-searchkept-'));
    try {
      // 80 threads (more than a walk reads before it sweeps), the marker in one of them.
      const ids = Array.from({ length: 80 }, (_, i) => idOf(2000 + i));
      ids.forEach((id, i) => {
        const w = new RolloutWriter('legacy', id, { startMs: BASE_MS + i * 1000 }).sessionMeta();
        w.chatTurn('t0', i === 7 ? 'the qv marker here' : `question ${i}`, `answer ${i}`);
        writeRollout(home, rolloutName(id), w.text());
      });
      const m = await openMutationHome(home);
      try {
        await right(m.ports.indexer.refreshAll());
        const found = async (term: string): Promise<string[]> =>
          (await right(searchThreads(m.ports, { searchTerm: term }))).data.map((d) => d.thread.id).sort();
        expect(await found('qv marker')).to.deep.equal([ids[7]]);
        // Asked again: answered from the signatures kept by the first search.
        expect(await found('qv marker')).to.deep.equal([ids[7]]);
        expect(await found('brand new words')).to.deep.equal([]);
        writeRollout(
          home,
          rolloutName(ids[50]!),
          new RolloutWriter('legacy', ids[50]!, { startMs: BASE_MS + 900_000 })
            .chatTurn('t1', 'The QV marker and brand new words', 'ok')
            .text(),
          true,
        );
        expect(await found('qv marker')).to.deep.equal([ids[7], ids[50]].sort());
        expect(await found('brand new words')).to.deep.equal([ids[50]]);
      } finally {
        await m.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

// `thread/list` walks the thread order (replay/history/listThreads.ts); the schema-9 scan of every thread
// (test/oracle/listThreadsByScan.ts) is its oracle: for generated homes and queries, and after
// the home changes, both give the same pages, cursors and hidden counts, and the order table
// holds exactly the keys of the thread rows.
import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { compareKeys } from '../../projections/batch.js';
import { threadOrderKeysOf } from '../../projections/threadRows.js';
import type { ListThreadsQuery } from '../../replay/history/listThreads.js';
import type { ThreadSourceKind } from '../../replay/internal/sourceKinds.js';
import { listThreads } from '../../replay/history/listThreads.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { listThreadsByScan } from '../oracle/listThreadsByScan.js';
import { openMutationHome, right } from './mutationHome.js';

const BASE_MS = Date.UTC(2026, 10, 21, 14, 0, 0);
const SOURCES = ['cli', 'vscode', 'exec', { subagent: 'review' }] as const;

interface ThreadSpec {
  readonly startMs: number;
  readonly turns: number;
  readonly source: number;
  readonly provider: 'mock' | 'openai';
  readonly cwd: '/a' | '/b';
  readonly archived: boolean;
  readonly name: string | null;
}

/** Start times that tie to the second and to the millisecond, across thread ids. */
const startMs = fc
  .oneof(
    { arbitrary: fc.constantFrom(0, 500, 999, 1000, 1001, 2500), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 20_000 }), weight: 1 },
  )
  .map((d) => BASE_MS + d);
const threadSpec: fc.Arbitrary<ThreadSpec> = fc.record({
  startMs,
  turns: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 5 }),
  source: fc.integer({ min: 0, max: SOURCES.length - 1 }),
  provider: fc.constantFrom('mock' as const, 'openai' as const),
  cwd: fc.constantFrom('/a' as const, '/b' as const),
  archived: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  name: fc.option(fc.constantFrom('alpha', 'beta question'), { nil: null }),
});

const idOf = (i: number): string => `0${(i % 3).toString(16)}a1fe84-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
const nameOf = (id: string, ms: number): string =>
  `rollout-${new Date(ms).toISOString().slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`;
const dayDir = (home: string): string => nodePath.join(home, 'sessions', '2026', '11', '21');

const writerOf = (id: string, s: ThreadSpec, turns: number): RolloutWriter => {
  const w = new RolloutWriter('paginated', id, { startMs: s.startMs }).sessionMeta({
    source: SOURCES[s.source],
    model_provider: s.provider,
    cwd: s.cwd,
  });
  for (let t = 1; t <= turns; t++)
    w.chatTurn(`t${t}`, t === 1 ? `question about ${s.cwd} ${id.slice(-2)}` : `more ${t}`, `answer ${t}`);
  return w;
};

const pathOf = (home: string, id: string, s: ThreadSpec): string =>
  s.archived
    ? nodePath.join(home, 'archived_sessions', nameOf(id, s.startMs))
    : nodePath.join(dayDir(home), nameOf(id, s.startMs));

const writeHome = (home: string, specs: ReadonlyArray<ThreadSpec>): void => {
  fs.mkdirSync(dayDir(home), { recursive: true });
  fs.mkdirSync(nodePath.join(home, 'archived_sessions'), { recursive: true });
  specs.forEach((s, i) => fs.writeFileSync(pathOf(home, idOf(i), s), writerOf(idOf(i), s, s.turns).text()));
  writeNames(home, specs);
};

const writeNames = (home: string, specs: ReadonlyArray<ThreadSpec>): void =>
  fs.writeFileSync(
    nodePath.join(home, 'session_index.jsonl'),
    specs
      .flatMap((s, i) => (s.name === null ? [] : [`{"id":"${idOf(i)}","thread_name":"${s.name}","updated_at":"x"}\n`]))
      .join(''),
  );

/** Mostly absent: a filter that is always there would leave few threads to order. */
const sometimes = <A>(a: fc.Arbitrary<A>): fc.Arbitrary<A | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });

const query: fc.Arbitrary<ListThreadsQuery> = fc.record({
  limit: fc.integer({ min: 1, max: 6 }),
  sortKey: fc.constantFrom('created_at' as const, 'updated_at' as const, 'recency_at' as const),
  sortDirection: fc.constantFrom('asc' as const, 'desc' as const),
  archived: sometimes(fc.boolean()),
  sourceKinds: sometimes(fc.subarray<ThreadSourceKind>(['cli', 'vscode', 'exec', 'subAgent', 'subAgentReview'])),
  modelProviders: sometimes(fc.subarray(['mock', 'openai', 'other'])),
  cwd: sometimes(fc.constantFrom<string | string[]>('/a', ['/a', '/b'], [])),
  searchTerm: sometimes(fc.constantFrom('alpha', 'question', 'about /b', 'nothing')),
  excludedThreadIds: sometimes(fc.subarray([idOf(0), idOf(1), idOf(5)])),
});

/** A cursor as Codex writes them (second or millisecond timestamp, with or without an id) near the home's keys. */
const cursor = fc.oneof(
  fc.constant(undefined),
  fc
    .tuple(
      startMs,
      fc.integer({ min: 0, max: 400 }),
      fc.boolean(),
      fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
    )
    .map(([ms, later, seconds, id]) => {
      const iso = new Date(ms + later * 7).toISOString();
      const ts = seconds ? `${iso.slice(0, 19)}Z` : iso;
      return id === null ? ts : `${ts}|${idOf(id)}`;
    }),
);

const withHome = async (
  specs: ReadonlyArray<ThreadSpec>,
  run: (home: string, ports: HistoryReadPorts, store: LmdbIndexStore) => Promise<void>,
): Promise<void> => {
  const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 're-listprop-'));
  try {
    writeHome(home, specs);
    const m = await openMutationHome(home);
    try {
      await right(m.ports.indexer.refreshAll());
      await run(home, m.ports, m.store);
    } finally {
      await m.close();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
};

/** The pages of a cursor chain by both algorithms (at most `pages`), equal page by page; and the hidden counts. */
const expectSameChain = async (ports: HistoryReadPorts, q: ListThreadsQuery, pages = 6): Promise<void> => {
  let at = q.cursor;
  for (let n = 0; n < pages; n++) {
    const asked = { ...q, cursor: at, useStateDbOnly: true };
    const walked = await right(listThreads(ports, asked, { countHidden: n === 0 }));
    const scanned = await right(listThreadsByScan(ports, asked));
    expect(walked.page, JSON.stringify(asked)).to.deep.equal(scanned.page);
    if (n === 0) expect(walked.hiddenBySource).to.deep.equal(scanned.hiddenBySource);
    else expect(walked.hiddenBySource).to.equal(null);
    if (walked.page.nextCursor === null) return;
    at = walked.page.nextCursor;
  }
};

/** The order table holds exactly each thread row's keys. */
const expectOrderOfRows = async (store: LmdbIndexStore): Promise<void> => {
  const rows = await right(store.range('threads', []));
  const expected = rows.flatMap((r) => threadOrderKeysOf(r.value)).sort(compareKeys);
  expect((await right(store.range('threadOrder', []))).map((r) => r.key)).to.deep.equal(expected);
};

describe('thread/list: the thread order walk answers as the scan of every thread', function () {
  this.timeout(300_000);

  it('for generated homes, queries and cursor chains', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(threadSpec, { minLength: 1, maxLength: 24 }),
        fc.array(fc.tuple(query, cursor), { minLength: 1, maxLength: 8 }),
        async (specs, qs) =>
          withHome(specs, async (_home, ports, store) => {
            await expectOrderOfRows(store);
            for (const [q, c] of qs) await expectSameChain(ports, { ...q, cursor: c });
          }),
      ),
      { numRuns: 40 },
    );
  });

  it('pages that end inside a run of threads with the same key (to the millisecond and to the second)', async () => {
    const spec = (d: number, turns: number): ThreadSpec => ({
      startMs: BASE_MS + d,
      turns,
      source: 1,
      provider: 'openai',
      cwd: '/a',
      archived: false,
      name: null,
    });
    const specs = [
      spec(0, 1),
      spec(0, 1),
      spec(0, 1),
      spec(1000, 2),
      spec(1000, 2),
      spec(1500, 1),
      spec(1999, 1),
      spec(2000, 1),
    ];
    await withHome(specs, async (_home, ports) => {
      let pages = 0;
      for (const sortKey of ['created_at', 'updated_at', 'recency_at'] as const)
        for (const sortDirection of ['asc', 'desc'] as const)
          for (const limit of [1, 2, 3]) {
            await expectSameChain(ports, { sortKey, sortDirection, limit }, 20);
            pages += 1;
          }
      expect(pages).to.equal(18);
    });
  });

  it('after appends, archive / unarchive, renames, deletes and rewritten files', async () => {
    type Change = { kind: 'append' | 'archive' | 'rename' | 'delete' | 'rewrite'; thread: number; by: number };
    const change: fc.Arbitrary<Change> = fc.record({
      kind: fc.constantFrom(
        'append' as const,
        'archive' as const,
        'rename' as const,
        'delete' as const,
        'rewrite' as const,
      ),
      thread: fc.nat(),
      by: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(threadSpec, { minLength: 2, maxLength: 10 }),
        fc.array(change, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(query, cursor), { minLength: 1, maxLength: 4 }),
        async (initial, changes, qs) => {
          const specs: Array<ThreadSpec | null> = [...initial];
          await withHome(initial, async (home, ports, store) => {
            for (const ch of changes) {
              const i = ch.thread % specs.length;
              const s = specs[i];
              if (s === null || s === undefined) continue;
              const id = idOf(i);
              const path = pathOf(home, id, s);
              if (ch.kind === 'append') {
                // Later turns: the updated and recency keys move.
                const w = writerOf(id, s, s.turns + ch.by);
                fs.writeFileSync(path, w.text());
                specs[i] = { ...s, turns: s.turns + ch.by };
              } else if (ch.kind === 'archive') {
                const moved = { ...s, archived: !s.archived };
                fs.renameSync(path, pathOf(home, id, moved));
                specs[i] = moved;
              } else if (ch.kind === 'rename') {
                specs[i] = { ...s, name: s.name === 'alpha' ? 'beta question' : 'alpha' };
                writeNames(
                  home,
                  specs.map((x) => x ?? { ...s, name: null }),
                );
              } else if (ch.kind === 'delete') {
                fs.rmSync(path);
                specs[i] = null;
              } else {
                // The same file written again from another start: re-indexed, its created key moves.
                const moved = { ...s, startMs: s.startMs + ch.by * 1234 };
                fs.rmSync(path);
                fs.writeFileSync(pathOf(home, id, moved), writerOf(id, moved, s.turns).text());
                specs[i] = moved;
              }
              await right(ports.indexer.refreshAll());
              await expectOrderOfRows(store);
            }
            for (const [q, c] of qs) await expectSameChain(ports, { ...q, cursor: c });
          });
        },
      ),
      { numRuns: 20 },
    );
  });

  it('a page is kept between asks while the index is unchanged (the same answer), and read again once anything is written (a new thread, a rename)', async () => {
    const specOf = (i: number): ThreadSpec => ({
      startMs: BASE_MS + i * 1000,
      turns: 1,
      source: 0,
      provider: 'openai',
      cwd: '/a',
      archived: false,
      name: null,
    });
    const specs = Array.from({ length: 5 }, (_, i) => specOf(i));
    await withHome(specs, async (home, ports) => {
      const q: ListThreadsQuery = { limit: 3 };
      const first = await right(listThreads(ports, q));
      expect(first.page.data.map((t) => t.id)).to.deep.equal([idOf(4), idOf(3), idOf(2)]);
      expect(await right(listThreads(ports, q))).to.equal(first);
      // Another query is not answered with the first one's page.
      expect((await right(listThreads(ports, { limit: 2 }))).page.data.map((t) => t.id)).to.deep.equal([
        idOf(4),
        idOf(3),
      ]);
      const more = [...specs, specOf(5)];
      fs.writeFileSync(pathOf(home, idOf(5), specOf(5)), writerOf(idOf(5), specOf(5), 1).text());
      expect((await right(listThreads(ports, q))).page.data.map((t) => t.id)).to.deep.equal([
        idOf(5),
        idOf(4),
        idOf(3),
      ]);
      writeNames(
        home,
        more.map((x, i) => (i === 4 ? { ...x, name: 'renamed' } : x)),
      );
      expect((await right(listThreads(ports, q))).page.data.find((t) => t.id === idOf(4))?.name).to.equal('renamed');
    });
  });
});

// The index-served history API against the whole-history fold, on random rollouts (both modes,
// forks by reference): every page walk, both directions, any page size, visits exactly the fold's
// turns and items in order, with the same content; thread/read equals the fold's.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import { jsonlRolloutStore } from '../oracle/rolloutStore.js';
import { foldThread, readThreadByFold as readByFold } from '../oracle/wholeFileFold.js';
import { readThread } from '../../replay/history/readThread.js';
import { listTurns } from '../../replay/history/listTurns.js';
import { listItems } from '../../replay/history/listItems.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import { inSummary, itemEntriesInOrder, toApiTurn, visibleTurnEntries } from '../oracle/referenceTurnFold.js';
import type { Turn } from '../../domain/thread/turn.js';
import { act, newThread, rolloutRelPath, sessionMeta, writeRollout } from '../projections/synth.js';
import type { Action } from '../projections/synth.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import { right } from '../fixtures/right.js';
import { streamedText } from '../fixtures/streamedText.js';

const ACTIONS: Action[] = ['startTurn', 'user', 'agent', 'reasoning', 'context', 'tokens', 'complete', 'fail', 'abort'];

const walkTurns = async (
  ports: HistoryReadPorts,
  threadId: string,
  limit: number,
  dir: 'asc' | 'desc',
  view: 'full' | 'summary',
): Promise<Turn[]> => {
  const out: Turn[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page: Awaited<ReturnType<ReturnType<typeof listTurns>>> extends E.Either<unknown, infer P> ? P : never =
      right(await listTurns(ports, { threadId, limit, sortDirection: dir, itemsView: view, cursor })());
    expect(page.data.length).to.be.at.most(Math.max(limit, 1));
    out.push(...page.data);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('turn walk did not end');
};

const walkItems = async (ports: HistoryReadPorts, threadId: string, limit: number, dir: 'asc' | 'desc') => {
  const out: Array<{ turnId: string; id: string; type: string }> = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 5000; guard++) {
    const page: Awaited<ReturnType<ReturnType<typeof listItems>>> extends E.Either<unknown, infer P> ? P : never =
      right(await listItems(ports, { threadId, limit, sortDirection: dir, cursor })());
    out.push(...page.data.map((e) => ({ turnId: e.turnId, id: e.item.id, type: e.item.type })));
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('item walk did not end');
};

describe('history API from the index == the whole-history fold (random rollouts, forks)', function () {
  this.timeout(120_000);

  it('turn and item pages, every size and direction, and thread/read', async () => {
    const strays: boolean[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('paginated' as const, 'legacy' as const),
        fc.array(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 60 }),
        fc.array(fc.constantFrom(...ACTIONS), { maxLength: 25 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 30 }),
        // Base lines not numbered as Codex numbers them (a line without an ordinal, or a gap in the
        // numbering): the lines after it are not numbered `line`, so the index keeps their ordinals.
        fc.option(fc.record({ at: fc.integer({ min: 1, max: 60 }), gap: fc.boolean() }), { nil: undefined }),
        async (mode, baseActions, forkActions, limit, cutAt, strayAt) => {
          const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'history-pages-'));
          try {
            const base = newThread(7, mode);
            const lines = [sessionMeta(base)];
            baseActions.forEach((a, i) => {
              if (strayAt !== undefined && i === strayAt.at) {
                if (strayAt.gap) base.n += 3;
                else lines.push('{"timestamp":"2026-11-21T14:00:00.000Z","type":"world_state","payload":{}}');
              }
              lines.push(...act(base, a));
            });
            const stray = strayAt !== undefined && strayAt.at < baseActions.length;
            const ordinalOf = (l: string): number | undefined => (JSON.parse(l) as { ordinal?: number }).ordinal;
            const basePath = nodePath.join(home, rolloutRelPath(base.threadId));
            await fs.mkdir(nodePath.dirname(basePath), { recursive: true });
            await fs.writeFile(basePath, lines.map((l) => `${l}\n`).join(''));
            const threads = [base.threadId];
            if (mode === 'paginated') {
              // A fork by reference: its base is the first `cut` lines of the source.
              const cut = Math.min(lines.length, 1 + cutAt);
              const endOrdinal = 1 + lines.slice(0, cut).reduce((o, l) => ordinalOf(l) ?? o, -1);
              const fork = newThread(8, mode);
              fork.n = endOrdinal;
              const endByteOffset = lines.slice(0, cut).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
              const forkLines = [
                sessionMeta(fork, {
                  forked_from_id: base.threadId,
                  forked_from_ordinal_exclusive: endOrdinal,
                  history_base: {
                    thread_id: base.threadId,
                    end_ordinal_exclusive: endOrdinal,
                    end_byte_offset: endByteOffset,
                  },
                }),
                ...forkActions.flatMap((a) => act(fork, a)),
              ];
              const forkPath = nodePath.join(home, rolloutRelPath(fork.threadId));
              await fs.writeFile(forkPath, forkLines.map((l) => `${l}\n`).join(''));
              threads.push(fork.threadId);
            }
            const store = right(await openLmdbIndex(nodePath.join(home, '.index'))());
            try {
              right(await catchUpHome(store, home)());
              const numberedOtherwise = right(await store.range('ordinals', [base.threadId])()).length > 0;
              if (mode === 'paginated' && stray) strays.push(numberedOtherwise);
              else expect(numberedOtherwise).to.equal(false, 'lines Codex numbered need no ordinals rows');
              const ports = portsOver(store, home, {}).read;
              const files = jsonlRolloutStore(home);
              for (const threadId of threads) {
                const folded = right(await foldThread(files, threadId)());
                const expected = visibleTurnEntries(folded.turns).map(toApiTurn);
                const expectedItems = itemEntriesInOrder(folded.turns).map(({ turnId, entry }) => ({
                  turnId,
                  id: entry.item.id,
                  type: entry.item.type,
                }));
                const asc = await walkTurns(ports, threadId, limit, 'asc', 'full');
                expect(asc, `${mode} ${threadId} asc limit ${limit}`).to.deep.equal(expected);
                const desc = await walkTurns(ports, threadId, limit, 'desc', 'full');
                expect(desc, 'desc').to.deep.equal([...expected].reverse());
                const summary = await walkTurns(ports, threadId, 100, 'asc', 'summary');
                // Whole items: the ones a turn row keeps rendered (below a fork's cut too) are the fold's.
                const entries = visibleTurnEntries(folded.turns);
                expect(summary.map((t) => t.items)).to.deep.equal(
                  expected.map((t, n) => {
                    // Of the items its summary counts (not a paginated turn's after its end: `inSummary`).
                    const counted = entries[n]!.items.filter((e) => inSummary(mode, entries[n]!, e)).map((e) => e.item);
                    const firstUser = counted.find((i) => i.type === 'userMessage');
                    // A paginated turn that never ended shows no final agent message (Codex 0.169.0: turnView.ts `summaryOfUnended`).
                    const ended = mode !== 'paginated' || entries[n]!.end !== null;
                    const lastAgent = ended ? [...counted].reverse().find((i) => i.type === 'agentMessage') : undefined;
                    // Codex shows the two in rollout order.
                    return t.items.filter((i) => i === firstUser || i === lastAgent);
                  }),
                );
                expect(await walkItems(ports, threadId, limit, 'asc'), 'items asc').to.deep.equal(expectedItems);
                expect(await walkItems(ports, threadId, limit, 'desc'), 'items desc').to.deep.equal(
                  [...expectedItems].reverse(),
                );
                const ours = right(await readThread(ports, { threadId: threadId, includeTurns: true })());
                const theirs = right(await readByFold(files, threadId, true)());
                // The streamed answer's text is JSON.stringify of the fold's, byte for byte.
                expect(await streamedText(ours.thread), 'thread/read text').to.equal(JSON.stringify(theirs));
              }
            } finally {
              right(await store.close()());
            }
          } finally {
            await fs.rm(home, { recursive: true, force: true });
          }
        },
      ),
      {
        numRuns: 40,
        // Always among the runs: a base numbered otherwise (a line without an ordinal; a gap) before turns of a cut fork.
        examples: [true, false].map(
          (gap): [HistoryMode, Action[], Action[], number, number, { at: number; gap: boolean }] => [
            'paginated' as const,
            [
              'startTurn',
              'user',
              'agent',
              'complete',
              'startTurn',
              'user',
              'reasoning',
              'agent',
              'complete',
              'startTurn',
              'user',
            ] as Action[],
            ['startTurn', 'user', 'agent'] as Action[],
            1,
            12,
            { at: 2, gap },
          ],
        ),
      },
    );
    // A range: the two examples always have rows numbered otherwise; how many of the 40 random runs
    // (fast-check's own seed each run) also do is left to the draw.
    expect(strays.filter((x) => x).length).to.be.at.least(2, 'runs had rows numbered otherwise');
  });

  it('thread/read of a thread of 4,500 turns: the map is made again as the walk goes (pages read stop counting), the answer the fold’s, pages asked meanwhile right', async () => {
    const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'history-remap-'));
    try {
      const t = newThread(9, 'legacy');
      const lines = [sessionMeta(t)];
      for (let i = 0; i < 4500; i++)
        for (const a of ['startTurn', 'user', 'agent', 'complete'] as const) lines.push(...act(t, a));
      await writeRollout(home, t.threadId, lines);
      const store = right(await openLmdbIndex(nodePath.join(home, '.index'))());
      try {
        right(await catchUpHome(store, home)());
        let remaps = 0;
        const counted = { ...store, remap: () => ((remaps += 1), store.remap()) };
        const ports = portsOver(counted, home, {}).read;
        const ours = right(await readThread(ports, { threadId: t.threadId, includeTurns: true })());
        const files = jsonlRolloutStore(home);
        const theirs = right(await readByFold(files, t.threadId, true)());
        const expectedPage = right(
          await listTurns(ports, { threadId: t.threadId, limit: 5, sortDirection: 'desc', itemsView: 'full' })(),
        );
        let reading = true;
        const meanwhile = (async () => {
          let pages = 0;
          while (reading) {
            expect(
              right(
                await listTurns(ports, { threadId: t.threadId, limit: 5, sortDirection: 'desc', itemsView: 'full' })(),
              ),
            ).to.deep.equal(expectedPage);
            pages += 1;
            await new Promise((r) => setImmediate(r));
          }
          return pages;
        })();
        const text = await streamedText(ours.thread).finally(() => (reading = false));
        expect(text).to.equal(JSON.stringify(theirs));
        // How many pages were asked meanwhile is the scheduler's (a range); the remaps are the walk's:
        // 4,500 turns are 71 batches of 64, so one at the 64th batch, and one each time the renderings
        // made reach 1 MiB (2.4 MB of them, the whole text, stored as it goes: two).
        expect(await meanwhile).to.be.greaterThan(0);
        expect(remaps).to.equal(3);
      } finally {
        right(await store.close()());
      }
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});

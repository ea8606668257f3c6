// Duplicate ordinals (issue 39, item 4b): Codex numbers a paginated rollout's lines from its own
// counter, so with another writer beside it (or on its own) lines can share an ordinal and the
// ordinals stop following the lines. `thread/read` shows every turn; a cursor walk of
// `thread/turns/list` or `thread/items/list` must show the same, none skipped or repeated, at
// every page size, forwards and backwards, and from every page's backwards cursor. The repeated
// lines are reported as quarantined lines are: to the reader (`onQuarantined`) and by `verify`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { verifyIndex } from '../../indexer/verify/verify.js';
import { listItems } from '../../replay/history/listItems.js';
import type { ItemPage } from '../../replay/history/listItems.js';
import { listTurns } from '../../replay/history/listTurns.js';
import { searchOccurrences } from '../../replay/history/searchOccurrences.js';
import type { TurnPage } from '../../replay/history/listTurns.js';
import type { Direction } from '../../replay/internal/page.js';
import type { QuarantinedLines } from '../../replay/ports.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { chatThread, openMutationHome, readTurns, right, rolloutName, writeRollout } from '../replay/mutationHome.js';
import type { MutationHome } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';

const THREAD = 'ffffffff-0000-7000-8000-00000000d001';

/**
 * A thread whose first turn one writer wrote, then `turns` more turns, each by one of two writers
 * counting ordinals from their own counters: `restarts[i]` lines back from the common end (0: in
 * step). Returns the rollout text.
 */
const twoWriters = (turns: ReadonlyArray<{ readonly writer: 0 | 1 }>, restart: number): string => {
  const prefix = chatThread('paginated', THREAD, 1);
  const start = prefix.nextOrdinal();
  const writers = [
    new RolloutWriter('paginated', THREAD, { startOrdinal: start, startMs: prefix.nowMs() + 1_000 }),
    new RolloutWriter('paginated', THREAD, {
      startOrdinal: Math.max(0, start - restart),
      startMs: prefix.nowMs() + 2_000,
    }),
  ];
  const lines = [...prefix.lines];
  turns.forEach(({ writer }, i) => {
    const w = writers[writer]!;
    const from = w.lines.length;
    w.chatTurn(`d${i + 2}`, `question ${i + 2}`, `answer ${i + 2}`);
    lines.push(...w.lines.slice(from));
  });
  return lines.map((l) => `${l}\n`).join('');
};

describe('reliability · duplicate ordinals: cursor walks equal thread/read', function () {
  this.timeout(300_000);
  const figures = {
    trials: 0,
    walks: 0,
    turnsWalked: 0,
    itemsWalked: 0,
    skipped: 0,
    repeated: 0,
    differing: 0,
    repeatedOrdinalLines: 0,
    reported: 0,
  };
  after(() => reportArea('duplicate ordinals (two writers numbering lines)', figures));

  /** Every walk over `m`'s thread compared with `thread/read`'s turns and items; mismatches counted, then asserted. */
  const checkWalks = async (m: MutationHome, text: string): Promise<void> => {
    figures.trials++;
    // The lines whose ordinal is not above every one before them: what the reports must count.
    let max = -1;
    let repeatedLines = 0;
    for (const line of text.split('\n').filter((l) => l !== '')) {
      const ordinal = (JSON.parse(line) as { ordinal: number }).ordinal;
      if (ordinal <= max) repeatedLines++;
      else max = ordinal;
    }
    figures.repeatedOrdinalLines += repeatedLines;
    const told: QuarantinedLines[] = [];
    await right(listTurns({ ...m.ports, onQuarantined: (q) => told.push(q) }, { threadId: THREAD, limit: 1 }));
    const verified = await right(verifyIndex(m.store, m.home));
    if (verified.repeatedOrdinals.lines === repeatedLines && (told[0]?.repeatedOrdinals ?? 0) === repeatedLines)
      figures.reported++;
    expect({
      told: told[0]?.repeatedOrdinals ?? 0,
      verify: verified.repeatedOrdinals.lines,
      differences: verified.differences,
    }).to.deep.equal({
      told: repeatedLines,
      verify: repeatedLines,
      differences: 0,
    });
    const turns = await readTurns(m, THREAD);
    const turnIds = turns.map((t) => t.id);
    const itemIds = turns.flatMap((t) => t.items.map((i) => i.id));
    const count = (walked: string[], expected: string[]): void => {
      figures.walks++;
      const missing = expected.filter((id) => !walked.includes(id)).length;
      figures.skipped += missing;
      figures.repeated += walked.length - new Set(walked).size;
      if (JSON.stringify(walked) !== JSON.stringify(expected)) figures.differing++;
    };
    const failures: string[] = [];
    for (const direction of ['asc', 'desc'] as Direction[]) {
      const want = direction === 'asc' ? turnIds : [...turnIds].reverse();
      const wantItems = direction === 'asc' ? itemIds : [...itemIds].reverse();
      for (let limit = 1; limit <= turnIds.length; limit++) {
        const walked: string[] = [];
        let cursor: string | null = null;
        do {
          const page: TurnPage = await right(
            listTurns(m.ports, { threadId: THREAD, cursor, limit, sortDirection: direction }),
          );
          walked.push(...page.data.map((t) => t.id));
          figures.turnsWalked += page.data.length;
          // The page's backwards cursor, walked the other way, starts at this page's first turn and goes back from it.
          if (page.backwardsCursor !== null && page.data.length > 0) {
            const back = await right(
              listTurns(m.ports, {
                threadId: THREAD,
                cursor: page.backwardsCursor,
                limit: turnIds.length,
                sortDirection: direction === 'asc' ? 'desc' : 'asc',
              }),
            );
            const at = want.indexOf(page.data[0]!.id);
            const wantBack = want.slice(0, at + 1).reverse();
            count(
              back.data.map((t) => t.id),
              wantBack,
            );
            if (JSON.stringify(back.data.map((t) => t.id)) !== JSON.stringify(wantBack))
              failures.push(`turns backwards from ${page.data[0]!.id} (${direction}, limit ${limit})`);
          }
          cursor = page.nextCursor;
        } while (cursor !== null && walked.length <= turnIds.length * 2);
        count(walked, want);
        if (JSON.stringify(walked) !== JSON.stringify(want))
          failures.push(`turns ${direction} limit ${limit}: ${walked.join(',')} ≠ ${want.join(',')}`);
      }
      for (const limit of [1, 2, 3, 5, 8, itemIds.length]) {
        const walked: string[] = [];
        let cursor: string | null = null;
        do {
          const page: ItemPage = await right(
            listItems(m.ports, { threadId: THREAD, cursor, limit, sortDirection: direction }),
          );
          walked.push(...page.data.map((e) => e.item.id));
          figures.itemsWalked += page.data.length;
          cursor = page.nextCursor;
        } while (cursor !== null && walked.length <= itemIds.length * 2);
        count(walked, wantItems);
        if (JSON.stringify(walked) !== JSON.stringify(wantItems))
          failures.push(`items ${direction} limit ${limit}: ${walked.length} walked of ${wantItems.length}`);
      }
    }
    // A search occurrence's turn cursor opens its own turn.
    const found = await right(searchOccurrences(m.ports, { threadId: THREAD, searchTerm: 'question', limit: 100 }));
    for (const o of found.data) {
      const page = await right(
        listTurns(m.ports, { threadId: THREAD, cursor: o.turnCursor, limit: 1, sortDirection: 'asc' }),
      );
      figures.walks++;
      if (page.data[0]?.id !== o.turnId)
        failures.push(`search occurrence's turn cursor of ${o.turnId} opens ${page.data[0]?.id}`);
    }
    expect(failures, 'walks that differ from thread/read').to.deep.equal([]);
  };

  const withHome = async (text: string, body: (m: MutationHome, text: string) => Promise<void>): Promise<void> => {
    const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-dup-ordinals-'));
    try {
      writeRollout(home, rolloutName(THREAD), text);
      const m = await openMutationHome(home);
      try {
        await body(m, text);
      } finally {
        await m.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  };

  it('a Codex and an engine writer taking turns, each with its own counter: every walk equals thread/read', async () => {
    // Alternating writers in step: every turn of the second repeats the ordinals of the first's.
    await withHome(
      twoWriters([{ writer: 0 }, { writer: 1 }, { writer: 0 }, { writer: 1 }, { writer: 0 }, { writer: 1 }], 0),
      checkWalks,
    );
  });

  it('fast-check: random writers per turn and random restarts of the second counter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ writer: fc.constantFrom(0 as const, 1 as const) }), { minLength: 2, maxLength: 7 }),
        fc.integer({ min: 0, max: 30 }),
        async (turns, restart) => withHome(twoWriters(turns, restart), checkWalks),
      ),
      { numRuns: 25 },
    );
  });
});

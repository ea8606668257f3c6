// A `summary` page serves each turn from what its turn row keeps (first user and final agent
// message, rendered when indexed), below a cut as in the current file: no item row, no file
// bytes. Only a turn the cut runs through is picked from its visible items.
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import type { IndexStore } from '../../domain/ports.js';
import type { Turn } from '../../domain/thread/turn.js';
import { listTurns } from '../../replay/history/listTurns.js';
import { SHOWN_LINE_BYTES } from '../../projections/turnStore.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import { jsonlRolloutStore } from '../oracle/rolloutStore.js';
import { foldThread } from '../oracle/wholeFileFold.js';
import { inSummary, toApiTurn, visibleTurnEntries } from '../oracle/referenceTurnFold.js';
import { act, newThread, rolloutRelPath, sessionMeta, threadLines } from '../projections/synth.js';
import type { SynthThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';

/** What a page read of its turns' items: item-row lookups (gets and range reads) and byte ranges of files. */
interface Reads {
  itemRows: number;
  fileRanges: number;
}

/** The ports with the item-row and file reads counted. */
const counted = (ports: HistoryReadPorts, reads: Reads): HistoryReadPorts => {
  const index: IndexStore = {
    ...ports.index,
    get: (table, key) => {
      if (table === 'items') reads.itemRows += 1;
      return ports.index.get(table, key);
    },
    range: (table, prefix, opts) => {
      if (table === 'items') reads.itemRows += 1;
      return ports.index.range(table, prefix, opts);
    },
  };
  return {
    ...ports,
    index,
    readRanges: (path, ranges) => {
      reads.fileRanges += ranges.length;
      return ports.readRanges(path, ranges);
    },
  };
};

/** A reference fork of `base`'s first `cut` lines, then one turn of its own. */
const forkLines = (
  base: SynthThread,
  baseLines: readonly string[],
  cut: number,
  seed: number,
): { fork: SynthThread; lines: string[] } => {
  const ordinalOf = (l: string): number | undefined => (JSON.parse(l) as { ordinal?: number }).ordinal;
  const endOrdinal = 1 + baseLines.slice(0, cut).reduce((o, l) => ordinalOf(l) ?? o, -1);
  const endByteOffset = baseLines.slice(0, cut).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const fork = newThread(seed, 'paginated');
  fork.n = endOrdinal;
  const meta = sessionMeta(fork, {
    forked_from_id: base.threadId,
    forked_from_ordinal_exclusive: endOrdinal,
    history_base: { thread_id: base.threadId, end_ordinal_exclusive: endOrdinal, end_byte_offset: endByteOffset },
  });
  const own = (['startTurn', 'user', 'agent', 'complete'] as const).flatMap((a) => act(fork, a));
  return { fork, lines: [meta, ...own] };
};

describe('summary pages from the turn rows, below a cut too', function () {
  this.timeout(120_000);
  const tmp = useTempDir('summary-pages-');

  it('a fork’s turns below its cut read no item row and no file bytes (a long item: the two rows its turn row names); the turn the cut runs through is picked from its visible items; answers are the fold’s', async () => {
    const home = nodePath.join(tmp(), 'home');
    const base = newThread(31, 'paginated');
    const baseLines = threadLines(base, 6);
    // The third turn's answer is too long to be kept in its row (SHOWN_LINE_BYTES): read by the row's reference.
    const answers = baseLines.flatMap((l, i) => (l.includes('"AgentMessage"') ? [i] : []));
    baseLines[answers[2]!] = baseLines[answers[2]!]!.replace(
      /"text":"answer \d+"/,
      `"text":"${'a long answer, '.repeat(SHOWN_LINE_BYTES / 10)}"`,
    );
    // A turn left running: the cut of `through` falls between its user message and its answer.
    baseLines.push(...(['startTurn', 'user'] as const).flatMap((a) => act(base, a)));
    const cutThrough = baseLines.length;
    baseLines.push(...(['agent', 'complete'] as const).flatMap((a) => act(base, a)));
    const whole = forkLines(base, baseLines, baseLines.length, 32);
    const through = forkLines(base, baseLines, cutThrough, 33);
    for (const [t, lines] of [
      [base, baseLines],
      [whole.fork, whole.lines],
      [through.fork, through.lines],
    ] as const) {
      const path = nodePath.join(home, rolloutRelPath(t.threadId));
      await fs.mkdir(nodePath.dirname(path), { recursive: true });
      await fs.writeFile(path, lines.map((l) => `${l}\n`).join(''));
    }
    const store = right(await openLmdbIndex(nodePath.join(tmp(), 'index'))());
    try {
      right(await catchUpHome(store, home)());
      const files = jsonlRolloutStore(home);
      /** The fold's turns with the summary Codex shows: the first user and the last agent message, in rollout order. */
      const expectedSummary = async (threadId: string): Promise<Turn[]> =>
        visibleTurnEntries(right(await foldThread(files, threadId)()).turns)
          .map((e) => ({ e, t: toApiTurn(e) }))
          .map(({ e, t }) => {
            // Of the items its summary counts (not a paginated turn's after its end: `inSummary`).
            const counted = e.items.filter((i) => inSummary('paginated', e, i)).map((i) => i.item);
            const firstUser = counted.find((i) => i.type === 'userMessage');
            const lastAgent = [...counted].reverse().find((i) => i.type === 'agentMessage');
            return { ...t, items: t.items.filter((i) => i === firstUser || i === lastAgent), itemsView: 'summary' };
          });
      const page = async (threadId: string, reads: Reads): Promise<Turn[]> => {
        // Caught up first, so the counted page reads only what the page itself needs.
        right(
          await listTurns(portsOver(store, home, {}).read, {
            threadId,
            limit: 50,
            sortDirection: 'asc',
            itemsView: 'notLoaded',
            cursor: null,
          })(),
        );
        return right(
          await listTurns(counted(portsOver(store, home, {}).read, reads), {
            threadId,
            limit: 50,
            sortDirection: 'asc',
            itemsView: 'summary',
            cursor: null,
          })(),
        ).data;
      };

      const wholeReads: Reads = { itemRows: 0, fileRanges: 0 };
      const wholePage = await page(whole.fork.threadId, wholeReads);
      expect(wholePage).to.deep.equal(await expectedSummary(whole.fork.threadId));
      expect(wholePage.map((t) => t.items.length)).to.deep.equal([2, 2, 2, 2, 2, 2, 2, 2]);
      expect(JSON.stringify(wholePage[2]!.items)).to.include('a long answer, a long answer');
      // Only the long answer's turn reads, and only the two rows its turn row names (not all its rows).
      expect(wholeReads, 'a cut below every turn’s items').to.deep.equal({ itemRows: 2, fileRanges: 2 });

      const throughReads: Reads = { itemRows: 0, fileRanges: 0 };
      const throughPage = await page(through.fork.threadId, throughReads);
      expect(throughPage).to.deep.equal(await expectedSummary(through.fork.threadId));
      // The running turn below the cut shows its user message alone (its answer is past the cut).
      expect(throughPage.map((t) => t.items.map((i) => i.type))[6]).to.deep.equal(['userMessage']);
      // Beside the long answer's two rows, only the turn the cut runs through reads its item rows (one range) and its visible item.
      expect(throughReads).to.deep.equal({ itemRows: 3, fileRanges: 3 });
    } finally {
      right(await store.close()());
    }
  });

  it('a paginated turn that never ended shows its user message alone in a summary (its answer in the full view); a legacy one its answer too, as Codex 0.169.0 (found by the differential fuzzer)', async () => {
    const home = nodePath.join(tmp(), 'home');
    const threads = (['paginated', 'legacy'] as const).map((mode, i) => {
      const t = newThread(41 + i, mode);
      const lines = threadLines(t, 2);
      lines.push(...(['startTurn', 'user', 'agent'] as const).flatMap((a) => act(t, a)));
      return { mode, t, lines };
    });
    for (const { t, lines } of threads) {
      const path = nodePath.join(home, rolloutRelPath(t.threadId));
      await fs.mkdir(nodePath.dirname(path), { recursive: true });
      await fs.writeFile(path, lines.map((l) => `${l}\n`).join(''));
    }
    const store = right(await openLmdbIndex(nodePath.join(tmp(), 'index'))());
    try {
      right(await catchUpHome(store, home)());
      const kinds = async (threadId: string, itemsView: 'summary' | 'full'): Promise<string[][]> =>
        right(
          await listTurns(portsOver(store, home, {}).read, {
            threadId,
            limit: 50,
            sortDirection: 'asc',
            itemsView,
            cursor: null,
          })(),
        ).data.map((t) => t.items.map((i) => i.type).filter((k) => k === 'userMessage' || k === 'agentMessage'));
      const [paginated, legacy] = threads;
      expect(await kinds(paginated!.t.threadId, 'summary')).to.deep.equal([
        ['userMessage', 'agentMessage'],
        ['userMessage', 'agentMessage'],
        ['userMessage'],
      ]);
      expect((await kinds(paginated!.t.threadId, 'full'))[2]).to.deep.equal(['userMessage', 'agentMessage']);
      expect((await kinds(legacy!.t.threadId, 'summary'))[2]).to.deep.equal(['userMessage', 'agentMessage']);
    } finally {
      right(await store.close()());
    }
  });
});

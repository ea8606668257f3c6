// `thread/items/list` for a reader that lacks some items (`presence`: 0.169.0 lacks an agent message
// whose display it cannot read): every page walk, both directions, any page size, visits exactly
// the items it has, in order; and the items judged are read a batch at a time (listItems.ts
// `presentItems`), not one open per item.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as fc from 'fast-check';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import { listItems } from '../../replay/history/listItems.js';
import type { ItemPage } from '../../replay/history/listItems.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import type { ItemPresence, ThreadItem } from '../../domain/thread/threadItem.js';
import { act, newThread, rolloutRelPath, sessionMeta } from '../projections/synth.js';
import type { Action } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { countedReads } from '../fixtures/countedReads.js';

const ACTIONS: Action[] = ['startTurn', 'user', 'agent', 'reasoning', 'complete'];

/** A reader lacking the agent messages `lacks` names (by their place among the thread's items). */
const presenceLacking = (lacks: (item: ThreadItem) => boolean): ItemPresence => ({
  kinds: new Set(['agentMessage']),
  has: (item) => !lacks(item),
});

const walk = async (
  ports: HistoryReadPorts,
  threadId: string,
  limit: number,
  sortDirection: 'asc' | 'desc',
  presence: ItemPresence | undefined,
): Promise<string[]> => {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 5000; guard++) {
    const page: ItemPage = right(await listItems(ports, { threadId, limit, sortDirection, cursor }, presence)());
    expect(page.data.length).to.be.at.most(Math.max(limit, 1));
    out.push(...page.data.map((e) => e.item.id));
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('item walk did not end');
};

describe('thread/items/list for a reader lacking some items (presence)', function () {
  this.timeout(120_000);

  /** A home of one thread made of `actions`, indexed: its id and read ports. */
  const indexedThread = async <A>(
    mode: 'paginated' | 'legacy',
    actions: ReadonlyArray<Action>,
    use: (ports: HistoryReadPorts, threadId: string) => Promise<A>,
  ): Promise<A> => {
    const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'item-presence-'));
    try {
      const t = newThread(11, mode);
      const lines = [sessionMeta(t), ...actions.flatMap((a) => act(t, a))];
      const path = nodePath.join(home, rolloutRelPath(t.threadId));
      await fs.mkdir(nodePath.dirname(path), { recursive: true });
      await fs.writeFile(path, lines.map((l) => `${l}\n`).join(''));
      const store = right(await openLmdbIndex(nodePath.join(home, '.index'))());
      try {
        right(await catchUpHome(store, home)());
        return await use(portsOver(store, home, {}).read, t.threadId);
      } finally {
        right(await store.close()());
      }
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  };

  it('every walk, both directions, any page size: the items it has, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('paginated' as const, 'legacy' as const),
        fc.array(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        async (mode, actions, limit, every) =>
          indexedThread(mode, actions, async (ports, threadId) => {
            const all = await walk(ports, threadId, 1000, 'asc', undefined);
            const messages = new Map<string, number>();
            const lacks = (item: ThreadItem): boolean =>
              item.type === 'agentMessage' && (messages.get(item.id) ?? 0) % every === 0;
            // Which messages the reader lacks: every `every`-th of the thread's, counted from its first.
            const full = right(await listItems(ports, { threadId, limit: 1000 })()).data;
            for (const e of full) if (e.item.type === 'agentMessage') messages.set(e.item.id, messages.size);
            const presence = presenceLacking(lacks);
            const expected = full.filter((e) => !lacks(e.item)).map((e) => e.item.id);
            expect(all).to.deep.equal(full.map((e) => e.item.id));
            expect(await walk(ports, threadId, limit, 'asc', presence), `${mode} asc ${limit}`).to.deep.equal(expected);
            expect(await walk(ports, threadId, limit, 'desc', presence), `${mode} desc ${limit}`).to.deep.equal(
              [...expected].reverse(),
            );
          }),
      ),
      { numRuns: 40 },
    );
  });

  it("a page's items of a kind the reader may lack are read together with the rest of the page: one range read, not one per message", async () => {
    const actions: Action[] = [
      'startTurn',
      'user',
      'agent',
      'reasoning',
      'agent',
      'agent',
      'user',
      'agent',
      'complete',
    ];
    for (const mode of ['paginated', 'legacy'] as const)
      await indexedThread(mode, actions, async (ports, threadId) => {
        const c = countedReads(ports);
        const page = right(
          await listItems(
            c.ports,
            { threadId, limit: 50 },
            presenceLacking(() => false),
          )(),
        );
        expect(page.data.filter((e) => e.item.type === 'agentMessage')).to.have.length(4);
        // The messages judged and the rest of the page, in the same reads.
        expect(c.calls(), mode).to.equal(1);
      });
  });
});

// Items rendered before (HistoryReadPorts.renderedItems) are given again only for the same texts
// at the same place: a second read of a page renders nothing and answers the same, and bytes
// changed in place (the index does not look again) are rendered anew, as without the store.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import { renderedItemsInMemory } from '../../adapters/driving/composition/renderedItemsInMemory.js';
import { listItems } from '../../replay/history/listItems.js';
import type { HistoryReadPorts, RenderedItems } from '../../replay/ports.js';
import { act, newThread, sessionMeta, writeRollout } from '../projections/synth.js';
import type { Action } from '../projections/synth.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import { right } from '../fixtures/right.js';

const TURN: Action[] = ['startTurn', 'user', 'reasoning', 'agent', 'complete'];

/** A store that counts what it was asked. */
const counted = (inner: RenderedItems) => {
  const counts = { hits: 0, misses: 0, sets: 0 };
  const store: RenderedItems = {
    get: (key, texts) => {
      const found = inner.get(key, texts);
      if (found === undefined) counts.misses += 1;
      else counts.hits += 1;
      return found;
    },
    set: (key, texts, item) => {
      counts.sets += 1;
      inner.set(key, texts, item);
    },
  };
  return { store, counts };
};

for (const mode of ['paginated', 'legacy'] as HistoryMode[])
  describe(`rendered items kept by a server (${mode})`, function () {
    this.timeout(120_000);
    let home: string;
    beforeEach(async () => {
      home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'rendered-items-'));
    });
    afterEach(async () => {
      await fs.rm(home, { recursive: true, force: true });
    });

    it('a page read again is the same answer, none of its items rendered again; changed bytes are rendered anew', async () => {
      const t = newThread(3, mode);
      const lines = [sessionMeta(t), ...TURN.flatMap((a) => act(t, a)), ...TURN.flatMap((a) => act(t, a))];
      const path = await writeRollout(home, t.threadId, lines);
      const store = right(await openLmdbIndex(nodePath.join(home, '.index'))());
      try {
        right(await catchUpHome(store, home)());
        const plain: HistoryReadPorts = { ...portsOver(store, home, {}).read, renderedItems: undefined };
        const { store: kept, counts } = counted(renderedItemsInMemory());
        const keeping: HistoryReadPorts = { ...plain, renderedItems: kept };
        const q = { threadId: t.threadId, limit: 50 };
        const expected = right(await listItems(plain, q)());
        expect(expected.data.length).to.be.greaterThan(3);
        const first = right(await listItems(keeping, q)());
        expect(first).to.deep.equal(expected);
        expect(counts).to.deep.equal({ hits: 0, misses: expected.data.length, sets: expected.data.length });
        const again = right(await listItems(keeping, q)());
        expect(again).to.deep.equal(expected);
        expect(counts.hits, 'the second read renders nothing').to.equal(expected.data.length);
        expect(counts.sets).to.equal(expected.data.length);
        // The agent's first answer changed in place, same length: the index keeps its rows (it looks at a file's end), the texts differ.
        const text = await fs.readFile(path, 'utf8');
        const at = text.indexOf('answer ');
        expect(at).to.be.greaterThan(0);
        await fs.writeFile(path, `${text.slice(0, at)}ANSWER ${text.slice(at + 'answer '.length)}`);
        const changed = right(await listItems(plain, q)());
        expect(JSON.stringify(changed)).to.contain('ANSWER ');
        expect(right(await listItems(keeping, q)())).to.deep.equal(changed);
        expect(counts.sets, 'only the changed item rendered anew').to.equal(expected.data.length + 1);
      } finally {
        await store.close()();
      }
    });
  });

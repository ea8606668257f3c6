import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { verifyIndex } from '../../../indexer/verify/verify.js';
import { SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import { addItemsThrough } from '../../../migrations/index/020-turn-renderings.js';
import type { IndexWrite } from '../../../domain/index/rows.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

const L = '01a1fe84-0000-7000-8000-0000000000f1';
const P = '01a1fe84-0000-7000-8000-0000000000f2';

describe('schema 19 → 20: turn rows keep itemsThrough (what stored renderings are checked against)', () => {
  const tmp = useTempDir('turn-renderings-');

  it('the in-place step derives it from the item rows, giving exactly the rows a fresh index has (extended reasoning, an item completed twice)', async () => {
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(home);
    const legacy = chatThread('legacy', L, 2);
    legacy.taskStarted('r').turnContext('r');
    legacy.push('event_msg', {
      type: 'user_message',
      message: 'think twice',
      images: [],
      local_images: [],
      text_elements: [],
    });
    legacy.push('event_msg', { type: 'agent_reasoning', text: 'first thought' });
    legacy.push('event_msg', { type: 'agent_reasoning', text: 'second thought' });
    legacy.taskComplete('r');
    writeRollout(home, rolloutName(L), legacy.text());
    const paginated = chatThread('paginated', P, 2);
    paginated.taskStarted('c').turnContext('c');
    paginated.item('c', { type: 'AgentMessage', id: 'twice', content: [{ type: 'Text', text: 'draft' }] });
    paginated.item('c', { type: 'AgentMessage', id: 'twice', content: [{ type: 'Text', text: 'final' }] });
    paginated.taskComplete('c');
    writeRollout(home, rolloutName(P), paginated.text());

    const dir = nodePath.join(tmp(), 'index');
    const store = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(store, home)());
    const fresh = right(await store.dump()());
    const turns = fresh
      .filter((r) => r.table === 'turns')
      .map((r) => r.value as { id: string; itemsThrough: number | null; itemCount: number });
    // Every turn with items has it; the reasoning turn's is past its second reasoning line, not its first.
    expect(turns.every((t) => t.itemCount > 0 === (t.itemsThrough !== null))).to.equal(true);
    const items = fresh
      .filter((r) => r.table === 'items' && (r.key as [string, number])[0] === L)
      .map((r) => r.value as { turnId: string; ranges: Array<[number, number]> });
    const reasoning = items.find((i) => i.turnId === 'r' && i.ranges.length === 2)!;
    expect(turns.find((t) => t.id === 'r')!.itemsThrough).to.equal(reasoning.ranges[1]![0] + reasoning.ranges[1]![1]);

    // The same index as schema 19 wrote it: turn rows without the field.
    const stripped: IndexWrite[] = [];
    for (const r of fresh.filter((x) => x.table === 'turns')) {
      const { itemsThrough: _dropped, ...row } = r.value as Record<string, unknown>;
      stripped.push({ op: 'put', table: 'turns', key: r.key as [string, number], value: row });
    }
    right(
      await store.commit(() => [...stripped, { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 19 }])(),
    );
    expect(right(await verifyIndex(store, home)()).differences).to.be.greaterThan(0);
    // The step as a 19 → 20 migration runs it (a later step, 021, rebuilds: so not through openIndex).
    right(
      await store.commit((reader) => [
        ...addItemsThrough(reader),
        { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: SCHEMA_VERSION },
      ])(),
    );
    try {
      expect(right(await store.dump()())).to.deep.equal(fresh);
    } finally {
      right(await store.close()());
    }
  });
});

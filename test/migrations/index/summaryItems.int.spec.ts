import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { portsOver } from '../../../adapters/driving/composition/openCodexHome.js';
import type { LmdbIndexStore } from '../../../adapters/driven/lmdb/indexStore.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import type { IndexWrite, TurnRow } from '../../../domain/index/rows.js';
import { listTurns } from '../../../replay/history/listTurns.js';
import { readThread } from '../../../replay/history/readThread.js';
import { SHOWN_LINE_BYTES } from '../../../projections/turnStore.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

const P = '01a1fe84-0000-7000-8000-0000000000d1';
const L = '01a1fe84-0000-7000-8000-0000000000d2';
const LONG_ANSWER = `a long answer: ${'words and more words, '.repeat(Math.ceil(SHOWN_LINE_BYTES / 20))}`;

describe('schema 8 → 9: turn rows keep their summary items (ItemRef.shown)', () => {
  const tmp = useTempDir('summary-items-');

  const turnRows = async (store: LmdbIndexStore, rolloutId: string): Promise<TurnRow[]> =>
    right(await store.range('turns', [rolloutId])()).map((r) => r.value);
  /** What a client sees: summary pages both ways and thread/read, from this index. */
  const answers = async (store: LmdbIndexStore, home: string) => {
    const ports = portsOver(store, home, {}).read;
    const out: unknown[] = [];
    for (const threadId of [P, L]) {
      for (const sortDirection of ['asc', 'desc'] as const)
        out.push(
          right(await listTurns(ports, { threadId, limit: 3, sortDirection, itemsView: 'summary', cursor: null })()),
        );
      out.push(right(await readThread(ports, { threadId: threadId, includeTurns: true })()));
    }
    return out;
  };

  it('rows keep short summary items and not long ones; an index of schema 8 is rebuilt and answers the same', async () => {
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(home);
    for (const [id, mode] of [
      [P, 'paginated'],
      [L, 'legacy'],
    ] as const) {
      const w = chatThread(mode, id, 3);
      w.chatTurn('long', 'a question with a long answer', LONG_ANSWER);
      writeRollout(home, rolloutName(id), w.text());
    }
    const dir = nodePath.join(tmp(), 'index');
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    for (const id of [P, L]) {
      const rows = await turnRows(built, id);
      expect(rows.map((t) => [t.firstUserItem?.shown?.type, t.finalAgentItem?.shown?.type ?? null])).to.deep.equal([
        ['userMessage', 'agentMessage'],
        ['userMessage', 'agentMessage'],
        ['userMessage', 'agentMessage'],
        ['userMessage', null], // its answer's line is over SHOWN_LINE_BYTES: read when asked
      ]);
    }
    const fresh = right(await built.dump()());
    const kept = await answers(built, home);
    // The summaries pages show came from the rows: with the rows' items taken away, the same answers are read from the files.
    const stripped: IndexWrite[] = [];
    for (const id of [P, L])
      for (const r of right(await built.range('turns', [id])())) {
        const t = r.value;
        const without = (ref: TurnRow['firstUserItem']) => (ref === null ? null : { id: ref.id, line: ref.line });
        stripped.push({
          op: 'put',
          table: 'turns',
          key: r.key,
          value: { ...t, firstUserItem: without(t.firstUserItem), finalAgentItem: without(t.finalAgentItem) },
        });
      }
    right(
      await built.commit(() => [...stripped, { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 8 }])(),
    );
    expect(await answers(built, home)).to.deep.equal(kept);
    expect(JSON.stringify(kept)).to.include(LONG_ANSWER.slice(0, 100));
    right(await built.close()());

    const reopened = right(await openIndex(dir, home)());
    try {
      expect(reopened.migrated).to.equal('rebuilt');
      expect(right(await reopened.store.dump()())).to.deep.equal(fresh);
      expect(await answers(reopened.store, home)).to.deep.equal(kept);
    } finally {
      right(await reopened.store.close()());
    }
  });
});

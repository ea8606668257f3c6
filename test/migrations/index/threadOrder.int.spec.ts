import { openSqlite } from '../../../adapters/driven/sqlite/sqliteDb.js';
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { portsOver } from '../../../adapters/driving/composition/openCodexHome.js';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import type { LmdbIndexStore } from '../../../adapters/driven/lmdb/indexStore.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import type { IndexWrite } from '../../../domain/index/rows.js';
import { THREAD_ORDER_KEYS } from '../../../domain/index/rows.js';
import { addThreadOrder } from '../../../migrations/index/011-thread-order.js';
import { MIGRATIONS } from '../../../migrations/index/steps.js';
import { listThreads } from '../../../replay/history/listThreads.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { rolloutName, writeRollout } from '../../replay/mutationHome.js';

const IDS = [
  '01a1fe84-0000-7000-8000-0000000000e1',
  '01a1fe84-0000-7000-8000-0000000000e2',
  '01a1fe84-0000-7000-8000-0000000000e3',
];
/** Found by what it runs: its number may change as other steps land. */
const STEP = MIGRATIONS.find((m) => m.kind === 'inPlace' && m.run === addThreadOrder)!;

describe('schema step thread-order: thread rows carry their sort keys, threadOrder orders them', () => {
  const tmp = useTempDir('thread-order-');

  /** Every list order both ways, a page of 2 and the next, as a client sees them. */
  const answers = async (store: LmdbIndexStore, home: string): Promise<unknown[]> => {
    const ports = portsOver(store, home, {}).read;
    const out: unknown[] = [];
    for (const sortKey of ['created_at', 'updated_at', 'recency_at'] as const)
      for (const sortDirection of ['asc', 'desc'] as const) {
        const first = right(await listThreads(ports, { sortKey, sortDirection, limit: 2, useStateDbOnly: true })());
        out.push(first.page);
        out.push(
          right(
            await listThreads(ports, {
              sortKey,
              sortDirection,
              limit: 2,
              cursor: first.page.nextCursor,
              useStateDbOnly: true,
            })(),
          ).page,
        );
      }
    return out;
  };

  it('an index of the version before is migrated in place and answers the same', async () => {
    expect(STEP.kind).to.equal('inPlace');
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(home);
    // Created in one order, updated (more turns) in another, one without turns (recency = created).
    IDS.forEach((id, i) => {
      const w = new RolloutWriter('paginated', id, { startMs: Date.UTC(2026, 10, 21, 14, 0, i) }).sessionMeta();
      for (let t = 0; t < 3 - i; t++) w.chatTurn(`t${t}`, `question ${t}`, `answer ${t}`);
      writeRollout(home, rolloutName(id), w.text());
    });
    // Codex ran these threads (its state DB holds live rows, their times apart): their times are their
    // lines', which is all the rows of the version before knew (issue 69: a row Codex took from a file
    // answers that file's mtime instead).
    const codexDb = openSqlite(nodePath.join(home, 'state_5.sqlite'), { mustExist: false });
    codexDb.exec('CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at_ms INTEGER, recency_at_ms INTEGER)');
    for (const id of IDS) codexDb.prepare('INSERT INTO threads VALUES (?, 2, 1)').run(id);
    codexDb.close();
    const dir = nodePath.join(tmp(), 'index');
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    const fresh = right(await built.dump()());
    const listed = await answers(built, home);
    expect(right(await built.range('threadOrder', [])()).length).to.equal(THREAD_ORDER_KEYS.length * IDS.length);
    // The same index as the version before wrote it: no sort keys in thread rows, no threadOrder.
    const threads = right(await built.range('threads', [])());
    const order = right(await built.range('threadOrder', [])());
    right(
      await built.commit((): IndexWrite[] => [
        ...threads.map(({ key, value: { sortMs: _sortMs, ...row } }): IndexWrite => ({
          op: 'put',
          table: 'threads',
          key,
          value: row,
        })),
        ...order.map(({ key }): IndexWrite => ({ op: 'del', table: 'threadOrder', key })),
        { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: STEP.from },
      ])(),
    );
    expect(right(await built.range('threadOrder', [])())).to.deep.equal([]);
    right(await built.close()());
    // Opened at the step's version, the step runs in place (later versions may rebuild: only this step is given).
    const opened = right(await openIndex(dir, home, { migrations: [STEP], target: STEP.to })());
    try {
      expect(opened.migrated).to.equal('steps');
      expect(right(await opened.store.dump()())).to.deep.equal(fresh);
      expect(await answers(opened.store, home)).to.deep.equal(listed);
    } finally {
      right(await opened.store.close()());
    }
  });
});

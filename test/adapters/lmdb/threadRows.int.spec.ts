import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../../adapters/lmdb/indexStore.js';
import { catchUpHome } from '../../../adapters/lmdb/catchUp.js';
import { jsonlRolloutStore } from '../../../adapters/jsonl/rolloutStore.js';
import { readThread } from '../../../replay/readThread.js';
import { act, newThread, rolloutRelPath, threadLines } from '../../projections/synth.js';

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

describe('thread rows agree with thread/read of the whole-file fold', function () {
  this.timeout(60_000);

  it('paginated, legacy and archived threads, names from session_index.jsonl', async () => {
    const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-t-'));
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-t-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      const p = newThread(61);
      const l = newThread(62, 'legacy');
      const a = newThread(63);
      const write = async (rel: string, lines: string[]) => {
        const f = nodePath.join(home, rel);
        await fs.mkdir(nodePath.dirname(f), { recursive: true });
        await fs.writeFile(f, lines.map((x) => x + '\n').join(''));
      };
      await write(rolloutRelPath(p.threadId), threadLines(p, 2));
      const ll = threadLines(l, 2);
      ll.push(...act(l, 'startTurn'), ...act(l, 'user'), ...act(l, 'fail'));
      await write(rolloutRelPath(l.threadId), ll);
      await write(`archived_sessions/${nodePath.basename(rolloutRelPath(a.threadId))}`, threadLines(a, 1));
      await fs.writeFile(
        nodePath.join(home, 'session_index.jsonl'),
        [{ id: p.threadId, thread_name: 'first' }, { id: p.threadId, thread_name: 'renamed' }, { id: l.threadId, thread_name: 'legacy one' }]
          .map((x) => JSON.stringify({ ...x, updated_at: '2026-11-21T14:00:00Z' }) + '\n')
          .join(''),
      );
      right(await catchUpHome(store, home)());
      for (const t of [p, l, a]) {
        const row = right(await store.get('threads', [t.threadId])())!;
        const { turns: _t, status: _s, ...expected } = right(await readThread(jsonlRolloutStore(home), t.threadId, false)());
        const { archived, rolloutId, ...fields } = row;
        expect(fields).to.deep.equal(expected);
        expect(archived).to.equal(t === a);
        expect(rolloutId).to.equal(t.threadId);
      }
      expect(right(await store.get('threads', [p.threadId])())!.name).to.equal('renamed');
    } finally {
      right(await store.close()());
      await fs.rm(home, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

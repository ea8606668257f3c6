// The mark of a rollout's first bytes that are not UTF-8 (`RolloutRow.notUtf8`), as the real reader
// and catch-up make it: a line that a newline ends, and bytes after the last line with no newline
// yet (Codex's `lines()` reads those as a last line, and its load fails there too), on this thread
// and on the reader thread, and a line too long to be read; an append still under way (an incomplete character at the end) is no
// such bytes, and an early (pre-envelope) file is ours alone. The answers: historyNotUtf8.compat.
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { openTailReaderThread } from '../../adapters/driven/jsonl/workers/tailReaderThread.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { envelopeLess } from '../fixtures/earlyRollouts.js';
import { right } from '../fixtures/right.js';
import { MAX_LINE_BYTES } from '../../adapters/driven/jsonl/lines/lineEntry.js';

const BINARY = Buffer.from([0x00, 0xff, 0x80, 0x62, 0xc3, 0x28]);

describe('the mark of bytes that are not UTF-8 in a rollout (RolloutRow.notUtf8)', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;
  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-nu-'));
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-nu-'));
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  const write = async (id: string, bytes: Buffer): Promise<string> => {
    const file = nodePath.join(home, rolloutRelPath(id));
    await fs.mkdir(nodePath.dirname(file), { recursive: true });
    await fs.writeFile(file, bytes);
    return file;
  };

  for (const reader of ['this thread', 'the reader thread'] as const)
    it(`bytes after the last line with no newline yet are marked, and stay so once a newline ends them (${reader})`, async () => {
      const t = newThread(91, 'legacy');
      const good = Buffer.from(threadLines(t, 2).join('\n') + '\n');
      // And an append under way: a line ending in the first two bytes of a three-byte character.
      const u = newThread(92, 'legacy');
      const ok = Buffer.from(threadLines(u, 2).join('\n') + '\n');
      const file = await write(t.threadId, Buffer.concat([good, BINARY]));
      await write(u.threadId, Buffer.concat([ok, Buffer.from('{"timestamp":"x","text":"'), Buffer.from([0xe2, 0x82])]));
      const store = right(await openLmdbIndex(dir)());
      const options =
        reader === 'this thread' ? {} : { tailReader: () => openTailReaderThread(), readerThreadFromBytes: 0 };
      try {
        const first = right(await catchUpHome(store, home, options)());
        expect(first.quarantined).to.equal(0);
        const row = right(await store.get('rollouts', [t.threadId])())!;
        expect(row.notUtf8).to.deep.equal({ byteOffset: good.length, headRead: true });
        expect(row.invalidLines).to.equal(0);
        expect(right(await store.get('rollouts', [u.threadId])())!.notUtf8).to.equal(undefined);
        // A newline ends them: the line is quarantined; the mark is the same.
        await fs.appendFile(file, '\n' + threadLines(newThread(93, 'legacy'), 1)[0] + '\n');
        const next = right(await catchUpHome(store, home, options)());
        expect(next.quarantined).to.equal(1);
        const after = right(await store.get('rollouts', [t.threadId])())!;
        expect(after.notUtf8).to.deep.equal({ byteOffset: good.length, headRead: true });
        expect(after.invalidLines).to.equal(1);
      } finally {
        right(await store.close()());
      }
    });

  it('a line over the length read, quarantined unread, is marked where it is not UTF-8 (Codex reads it whole)', async () => {
    const t = newThread(94, 'legacy');
    const good = Buffer.from(threadLines(t, 2).join('\n') + '\n');
    const huge = Buffer.alloc(MAX_LINE_BYTES + 1, 0x61);
    huge[MAX_LINE_BYTES >> 1] = 0xff;
    await write(t.threadId, Buffer.concat([good, huge, Buffer.from('\n')]));
    const store = right(await openLmdbIndex(dir)());
    try {
      const s = right(await catchUpHome(store, home, {})());
      expect(s.quarantined).to.equal(1);
      expect(right(await store.get('rollouts', [t.threadId])())!.notUtf8).to.deep.equal({
        byteOffset: good.length,
        headRead: true,
      });
    } finally {
      right(await store.close()());
    }
  });

  it('an early (pre-envelope) file, which Codex reads none of, is not marked', async () => {
    const id = '019a0000-0000-7000-8000-000000000051';
    const lines = envelopeLess(id, 1, 2).map((l) => Buffer.from(l + '\n'));
    const file = nodePath.join(home, `sessions/2025/05/01/rollout-2025-05-01T10-00-00-${id}.jsonl`);
    await fs.mkdir(nodePath.dirname(file), { recursive: true });
    await fs.writeFile(file, Buffer.concat([...lines, BINARY, Buffer.from('\n')]));
    const store = right(await openLmdbIndex(dir)());
    try {
      const s = right(await catchUpHome(store, home, {})());
      expect(s.quarantined).to.equal(1);
      const row = right(await store.get('rollouts', [id])())!;
      expect(row.invalidLines).to.equal(1);
      expect(row.notUtf8).to.equal(undefined);
      expect(right(await store.get('threads', [id])())?.historyUnloadable).to.equal(undefined);
    } finally {
      right(await store.close()());
    }
  });
});

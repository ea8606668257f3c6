import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { makeRolloutLine } from '../../../../domain/rollout/line.js';
import { end } from '../../../../adapters/driven/jsonl/lines/endPosition.js';
import { collectingQuarantineSink } from '../../../../adapters/driven/jsonl/writers/quarantine.js';
import { appendEvents, appendLines } from '../../../../adapters/driven/jsonl/writers/writer.js';
import { createTailCache } from '../../../../adapters/driven/jsonl/readers/tailCache.js';
import { threadPoolTrips } from '../../../fixtures/threadPoolTrips.js';

const ev = (n: number) => ({
  timestamp: '2026-11-21T14:31:25.366Z',
  type: 'event_msg',
  payload: { type: 'x', n, t: 'é✓' },
});
const raw = (n: number) => makeRolloutLine(ev(n)).raw;
const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );
const bytesOf = (lines: string[]) => lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);

describe('jsonl writer', function () {
  this.timeout(120_000);
  let dir: string;
  let n = 0;
  const fresh = () => nodePath.join(dir, `d${n++}`, 'sessions', '2026', '11', '21', `rollout-${n}.jsonl`);

  before(async () => {
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'jsonl-writer-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates a new file (and its folders) for noStream, then appends at the returned position', async () => {
    const path = fresh();
    const a = await appendLines(path, [raw(0), raw(1)], 'noStream')();
    expect(a).to.deep.equal(
      E.right({ first: { ordinal: 0, byteOffset: 0 }, next: { ordinal: 2, byteOffset: bytesOf([raw(0), raw(1)]) } }),
    );
    if (E.isLeft(a)) return;
    const b = await appendLines(path, [raw(2)], a.right.next)();
    expect(b).to.deep.equal(
      E.right({ first: a.right.next, next: { ordinal: 3, byteOffset: bytesOf([raw(0), raw(1), raw(2)]) } }),
    );
    expect(await fs.readFile(path, 'utf8')).to.equal([raw(0), raw(1), raw(2)].map((l) => l + '\n').join(''));
    expect(await exists(`${path}.lock`)).to.equal(false);
  });

  it('returns Conflict{expected, actual} for a stale position, noStream on an existing file, a position on a missing file', async () => {
    const path = fresh();
    await appendLines(path, [raw(0), raw(1), raw(2)], 'noStream')();
    const actual = { ordinal: 3, byteOffset: bytesOf([raw(0), raw(1), raw(2)]) };
    const stale = { ordinal: 1, byteOffset: bytesOf([raw(0)]) };
    expect(await appendLines(path, [raw(9)], stale)()).to.deep.equal(
      E.left({ _tag: 'Conflict', path, expected: stale, actual }),
    );
    expect(await appendLines(path, [raw(9)], 'noStream')()).to.deep.equal(
      E.left({ _tag: 'Conflict', path, expected: 'noStream', actual }),
    );
    const bogus = { ordinal: 7, byteOffset: 5 }; // not a line start: actual is counted from the start
    expect(await appendLines(path, [raw(9)], bogus)()).to.deep.equal(
      E.left({ _tag: 'Conflict', path, expected: bogus, actual }),
    );
    const missing = fresh();
    expect(await appendLines(missing, [raw(9)], actual)()).to.deep.equal(
      E.left({ _tag: 'Conflict', path: missing, expected: actual, actual: 'noStream' }),
    );
    expect(await exists(nodePath.dirname(missing))).to.equal(false); // nothing created on a conflict
    expect(await end(path)()).to.deep.equal(E.right(actual)); // nothing written either
  });

  it("appends anywhere with 'any', counting the end from the tail cache", async () => {
    const path = fresh();
    const tailCache = createTailCache();
    const first = await appendLines(path, [raw(0)], 'any', { tailCache })();
    expect(E.isRight(first) && first.right.first).to.deep.equal({ ordinal: 0, byteOffset: 0 });
    await fs.appendFile(path, raw(1) + '\n' + raw(2) + '\n'); // a writer we did not see
    const second = await appendLines(path, [raw(3)], 'any', { tailCache })();
    expect(E.isRight(second) && second.right).to.deep.equal({
      first: { ordinal: 3, byteOffset: bytesOf([raw(0), raw(1), raw(2)]) },
      next: { ordinal: 4, byteOffset: bytesOf([raw(0), raw(1), raw(2), raw(3)]) },
    });
  });

  it('numbers paginated lines densely from the last line, whatever its key order; firstOrdinal for a new file', async () => {
    const path = fresh();
    const a = await appendEvents(path, [ev(0), ev(1)], 'noStream', { historyMode: 'paginated', firstOrdinal: 42 })();
    expect(E.isRight(a) && a.right.firstEventOrdinal).to.equal(42);
    if (E.isLeft(a)) return;
    // A line in another key order (and a big one): the writer parses it whole.
    const odd = JSON.stringify({
      type: 'event_msg',
      payload: { big: 'x'.repeat(100_000) },
      ordinal: 43.0,
      timestamp: 't',
    });
    await fs.appendFile(path, odd.replace('"ordinal":43', '"ordinal":44') + '\n');
    const afterOdd = await end(path)();
    if (E.isLeft(afterOdd) || afterOdd.right === 'noStream') throw new Error('no end');
    const b = await appendEvents(path, [ev(2), ev(3)], afterOdd.right, { historyMode: 'paginated' })();
    expect(E.isRight(b) && b.right.firstEventOrdinal).to.equal(45);
    const lines = (await fs.readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { ordinal: number }).ordinal)).to.deep.equal([42, 43, 44, 45, 46]);
    // Codex's key order: timestamp, ordinal, type, payload.
    expect(lines[3]).to.equal(makeRolloutLine({ ...ev(2), ordinal: 45 }).raw);
    expect(Object.keys(JSON.parse(lines[3]!) as object)).to.deep.equal(['timestamp', 'ordinal', 'type', 'payload']);
  });

  it('writes legacy lines without ordinal, and refuses a paginated append after a line without one', async () => {
    const path = fresh();
    const a = await appendEvents(path, [ev(0)], 'noStream', { historyMode: 'legacy' })();
    expect(E.isRight(a) && a.right.firstEventOrdinal).to.equal(undefined);
    expect(await fs.readFile(path, 'utf8')).to.equal(raw(0) + '\n');
    if (E.isLeft(a)) return;
    const b = await appendEvents(path, [ev(1)], a.right.next, { historyMode: 'paginated' })();
    expect(E.isLeft(b) && b.left._tag).to.equal('Corrupt');
  });

  it('refuses to append after a torn tail by default, and leaves the file alone', async () => {
    const path = fresh();
    await appendLines(path, [raw(0)], 'noStream')();
    await fs.appendFile(path, '{"timestamp":"t","ty');
    const before = await fs.readFile(path);
    const r = await appendLines(path, [raw(1)], { ordinal: 1, byteOffset: bytesOf([raw(0)]) })();
    expect(r).to.deep.equal(
      E.left({
        _tag: 'Corrupt',
        path,
        byteOffset: bytesOf([raw(0)]),
        reason: 'torn tail: incomplete last line (20 bytes, no newline); refusing to append after it',
      }),
    );
    expect(await fs.readFile(path)).to.deep.equal(before);
  });

  it("with tornTail 'truncate', quarantines the partial line, cuts it and appends", async () => {
    const path = fresh();
    await appendLines(path, [raw(0)], 'noStream')();
    await fs.appendFile(path, '{"timestamp":"t","ty');
    const quarantine = collectingQuarantineSink();
    const at = { ordinal: 1, byteOffset: bytesOf([raw(0)]) };
    const r = await appendLines(path, [raw(1)], at, { tornTail: 'truncate', quarantine })();
    expect(r).to.deep.equal(E.right({ first: at, next: { ordinal: 2, byteOffset: bytesOf([raw(0), raw(1)]) } }));
    expect(quarantine.records).to.deep.equal([
      {
        path,
        ordinal: 1,
        byteOffset: at.byteOffset,
        byteLength: 20,
        reason: 'torn tail: incomplete last line (20 bytes, no newline); truncated before append',
        text: '{"timestamp":"t","ty',
      },
    ]);
    expect(await fs.readFile(path, 'utf8')).to.equal(raw(0) + '\n' + raw(1) + '\n');
  });

  it('an append to a rollout in a home goes through the thread pool only for the file itself (open, stat, last byte, write, fsync): its lock, held folder and mark are made and read at once', async () => {
    const home = nodePath.join(dir, `home${n++}`);
    const path = nodePath.join(home, 'sessions', '2026', '11', '21', 'rollout-trips.jsonl');
    const first = await appendLines(path, [raw(0)], 'noStream', { home })();
    if (E.isLeft(first)) throw new Error(JSON.stringify(first.left));
    const { value, trips } = await threadPoolTrips(() => appendLines(path, [raw(1)], first.right.next, { home })());
    expect(E.isRight(value)).to.equal(true);
    // 23 when each lock, folder and mark step was a trip: under a busy server each waited a turn of the event loop.
    expect(trips).to.be.at.most(6);
  });

  it('rejects bad input before touching the file', async () => {
    const path = fresh();
    const tag = async (p: Promise<E.Either<{ _tag: string }, unknown>>) => {
      const r = await p;
      return E.isLeft(r) ? r.left._tag : 'Right';
    };
    expect(await tag(appendLines(path, [], 'noStream')())).to.equal('InvalidArgument');
    expect(await tag(appendLines(path, [raw(0) + '\n' + raw(1)], 'noStream')())).to.equal('InvalidArgument');
    expect(await tag(appendLines(path, [''], 'noStream')())).to.equal('InvalidArgument');
    expect(await tag(appendLines(path, ['{"not":"an envelope"}'], 'noStream')())).to.equal('InvalidArgument');
    expect(await tag(appendLines(path, [raw(0)], { ordinal: 2, byteOffset: 0 })())).to.equal('InvalidArgument');
    expect(await tag(appendLines(path, [raw(0)], { ordinal: -1, byteOffset: 3 })())).to.equal('InvalidArgument');
    expect(await tag(appendEvents(path, [], 'noStream', { historyMode: 'paginated' })())).to.equal('InvalidArgument');
    // Lines nested deeper than serde_json's 127 levels (the line's own two around the payload's): as a line, and as an event's payload.
    const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
    const deepEvent = (depth: number) => ({ ...ev(0), payload: { type: 'x', deep: nested(depth) } });
    expect(await tag(appendLines(path, [makeRolloutLine(deepEvent(126)).raw], 'noStream')())).to.equal(
      'InvalidArgument',
    );
    expect(await tag(appendLines(path, [makeRolloutLine(deepEvent(3_000)).raw], 'noStream')())).to.equal(
      'InvalidArgument',
    );
    expect(await tag(appendEvents(path, [deepEvent(126)], 'noStream', { historyMode: 'paginated' })())).to.equal(
      'InvalidArgument',
    );
    expect(await exists(nodePath.dirname(path))).to.equal(false);
    expect(await tag(appendEvents(fresh(), [deepEvent(125)], 'noStream', { historyMode: 'paginated' })())).to.equal(
      'Right',
    );
    // Opting out of envelope validation still refuses newlines.
    expect(await tag(appendLines(path, ['plain\ntext'], 'noStream', { validate: false })())).to.equal(
      'InvalidArgument',
    );
    expect(await tag(appendLines(path, ['plain text'], 'noStream', { validate: false, fsync: 'never' })())).to.equal(
      'Right',
    );
  });

  it('serialises concurrent appends within one process: all succeed with any, dense ordinals', async () => {
    const path = fresh();
    await appendEvents(path, [ev(0)], 'noStream', { historyMode: 'paginated' })();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appendEvents(path, [ev(i), ev(i)], 'any', { historyMode: 'paginated', fsync: 'never' })(),
      ),
    );
    expect(results.every(E.isRight)).to.equal(true);
    const lines = (await fs.readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { ordinal: number }).ordinal)).to.deep.equal(lines.map((_, i) => i));
    const firsts = results.map((r) => (E.isRight(r) ? r.right.first.ordinal : -1)).sort((a, b) => a - b);
    expect(firsts).to.deep.equal(Array.from({ length: 40 }, (_, i) => 1 + 2 * i));
  });

  describe('lock', () => {
    it('breaks the lock of a dead process at once', async () => {
      const path = fresh();
      await appendLines(path, [raw(0)], 'noStream')();
      const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      const deadPid = Number(child.stdout.toString());
      await fs.writeFile(
        `${path}.lock`,
        JSON.stringify({ pid: deadPid, host: os.hostname(), token: 'old', acquiredAt: new Date().toISOString() }),
      );
      const started = Date.now();
      const r = await appendLines(path, [raw(1)], 'any', { lock: { waitMs: 2_000 } })();
      expect(E.isRight(r)).to.equal(true);
      expect(Date.now() - started).to.be.lessThan(1_000);
      expect(await exists(`${path}.lock`)).to.equal(false);
    });

    it('waits for a live holder, then fails with Timeout after the bounded wait', async () => {
      const path = fresh();
      await appendLines(path, [raw(0)], 'noStream')();
      const lock = JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        token: 'someone-else',
        acquiredAt: new Date().toISOString(),
      });
      await fs.writeFile(`${path}.lock`, lock);
      const started = Date.now();
      const r = await appendLines(path, [raw(1)], 'any', { lock: { waitMs: 300 } })();
      const waited = Date.now() - started;
      expect(E.isLeft(r) && r.left._tag).to.equal('Timeout');
      expect(E.isLeft(r) && r.left._tag === 'Timeout' && r.left.what).to.contain(`pid ${process.pid}`);
      expect(waited).to.be.within(250, 2_000);
      expect(await fs.readFile(`${path}.lock`, 'utf8')).to.equal(lock); // not ours: left alone
      expect(await fs.readFile(path, 'utf8')).to.equal(raw(0) + '\n');
    });

    it('takes over when the holder releases during the wait', async () => {
      const path = fresh();
      await appendLines(path, [raw(0)], 'noStream')();
      await fs.writeFile(
        `${path}.lock`,
        JSON.stringify({ pid: process.pid, host: os.hostname(), token: 'x', acquiredAt: '' }),
      );
      setTimeout(() => void fs.unlink(`${path}.lock`), 100);
      const r = await appendLines(
        path,
        [raw(1)],
        { ordinal: 1, byteOffset: bytesOf([raw(0)]) },
        { lock: { waitMs: 5_000 } },
      )();
      expect(E.isRight(r)).to.equal(true);
    });

    it('treats an unreadable lock as held until it is old, then breaks it', async () => {
      const path = fresh();
      await appendLines(path, [raw(0)], 'noStream')();
      await fs.writeFile(`${path}.lock`, '');
      const young = await appendLines(path, [raw(1)], 'any', { lock: { waitMs: 100, unreadableStaleMs: 60_000 } })();
      expect(E.isLeft(young) && young.left._tag).to.equal('Timeout');
      const old = new Date(Date.now() - 120_000);
      await fs.utimes(`${path}.lock`, old, old);
      const r = await appendLines(path, [raw(1)], 'any', { lock: { waitMs: 1_000, unreadableStaleMs: 60_000 } })();
      expect(E.isRight(r)).to.equal(true);
    });
  });
});

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { acquireLock, lockPathFor, releaseLock } from '../../../../adapters/driven/fs/lockFile.js';
import {
  appendThreadStateEvent,
  threadStateLogPath,
  writeSupersededMark,
} from '../../../../adapters/driven/jsonl/writers/homeFacts.js';
import { appendSessionIndexLine } from '../../../../adapters/driven/jsonl/writers/sessionIndexWriter.js';
import { sessionIndexLine } from '../../../../adapters/driven/jsonl/home/sessionIndex.js';
import { supersededMarkOf } from '../../../../adapters/driven/jsonl/home/supersededMark.js';

const T = 'dddddddd-0000-7000-8000-000000000001';
const event = { type: 'forgotten' as const, threadId: T, at: '2026-11-22T00:00:00.000Z' };

describe('homeFacts: the one writer of the home’s facts (the locks and replays a node’s copy relies on)', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'home-facts-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('a thread-state event waits for the log’s lock (a local change holding it), then is appended whole', async () => {
    const log = threadStateLogPath(home);
    fs.mkdirSync(nodePath.dirname(log), { recursive: true });
    const lock = await acquireLock(lockPathFor(log));
    let appended = false;
    // The appender tells each attempt that finds the lock held: after its second, it has waited
    // once and found the lock still held (no clock decides that it waits).
    // The holder is named as this lock's mark says, read once while it is held: an attempt may
    // still be told of the holder after the release below has begun (the unlink runs off-thread),
    // when the file is gone.
    const holding = `pid ${process.pid} on ${os.hostname()} since ${(JSON.parse(fs.readFileSync(lockPathFor(log), 'utf8')) as { acquiredAt: string }).acquiredAt}`;
    let attempts = 0;
    let retried: () => void = () => undefined;
    const waitedOnce = new Promise<void>((resolve) => (retried = resolve));
    const onHeld = (holder: string): void => {
      expect(holder).to.equal(holding);
      if (++attempts === 2) retried();
    };
    const appending = appendThreadStateEvent(home, event, { onHeld }).then(() => (appended = true));
    // An append that never meets the lock ends first, and fails here (not at a timeout).
    await Promise.race([
      waitedOnce,
      appending.then(() => {
        throw new Error('appended without waiting for the lock');
      }),
    ]);
    expect(appended).to.equal(false);
    expect(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '').to.equal('');
    await releaseLock(lock);
    await appending;
    expect(fs.readFileSync(log, 'utf8')).to.equal(`${JSON.stringify(event)}\n`);
    expect(fs.statSync(log).mode & 0o777).to.equal(0o600);
  });

  it('a replayed rename (once) is appended once; the file gets Codex’s mode', async () => {
    const line = sessionIndexLine(T, 'a name', new Date('2026-11-22T00:00:00.000Z'));
    for (let i = 0; i < 2; i++)
      expect(E.isRight(await appendSessionIndexLine(home, line, { once: true })())).to.equal(true);
    const file = nodePath.join(home, 'session_index.jsonl');
    expect(fs.readFileSync(file, 'utf8')).to.equal(line);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o644);
  });

  it('a superseded mark written again is replaced whole; the export’s exclusive write refuses one that is there', async () => {
    const rollout = nodePath.join(home, 'rollout.jsonl');
    await writeSupersededMark(home, rollout, 'one');
    await writeSupersededMark(home, rollout, 'two');
    expect(fs.readFileSync(supersededMarkOf(rollout), 'utf8')).to.equal('two');
    const refused = await writeSupersededMark(home, rollout, 'three', { exclusive: true }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).to.have.property('code', 'EEXIST');
    expect(fs.readdirSync(home).sort()).to.deep.equal(['rollout.jsonl.superseded']);
  });
});

import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { Progress } from '../../../../indexer/catchUp/catchUp.js';
import {
  createFeedback,
  SAY_AFTER_MS,
  SAY_AT_ONCE_BYTES,
  stepText,
} from '../../../../adapters/driving/cli/progress.js';

const MB = 1024 * 1024;

/** A feedback over a fake clock and timers, off a terminal; `lines` is what it wrote. */
const fake = () => {
  const lines: string[] = [];
  const clock = { t: 0 };
  const timers: Array<{ at: number; f: () => void; live: boolean }> = [];
  const feedback = createFeedback({
    write: (s) => void lines.push(...s.split('\n').filter((l) => l !== '')),
    terminal: null,
    now: () => clock.t,
    after: (ms, f) => {
      const timer = { at: clock.t + ms, f, live: true };
      timers.push(timer);
      return () => void (timer.live = false);
    },
  });
  const advance = (ms: number) => {
    clock.t += ms;
    for (const timer of timers) if (timer.live && timer.at <= clock.t) ((timer.live = false), timer.f());
  };
  return { feedback, lines, advance };
};

const progress = (
  stage: Progress['stage'],
  filesDone: number,
  bytesDone: number,
  filesTotal = 10,
  bytesTotal = 100 * MB,
): Progress => ({
  stage,
  filesDone,
  filesTotal,
  bytesDone,
  bytesTotal,
});

describe('CLI feedback on long work (adapters/driving/cli/progress.ts)', () => {
  it('a build that reads much is said at once, then its done line', () => {
    const { feedback, lines, advance } = fake();
    const home = '/h/.codex';
    // Its probes say nothing: what is to be read is not known yet.
    feedback.onStatus({ kind: 'indexing', work: 'build', home, progress: progress('probing', 0, 0, 281, 0) });
    advance(60_000);
    expect(lines).to.deep.equal([]);
    feedback.onStatus({ kind: 'indexing', work: 'build', home, progress: progress('planned', 0, 0, 281, 100.6 * MB) });
    expect(lines).to.deep.equal(['rollout-engine: indexing /h/.codex (281 files, 100.6 MB)…']);
    feedback.onStatus({
      kind: 'indexing',
      work: 'build',
      home,
      progress: progress('reading', 100, 40 * MB, 281, 100.6 * MB),
    });
    advance(2_300);
    feedback.onStatus({
      kind: 'indexing',
      work: 'build',
      home,
      progress: progress('done', 281, 100.6 * MB, 281, 100.6 * MB),
    });
    expect(lines).to.deep.equal([
      'rollout-engine: indexing /h/.codex (281 files, 100.6 MB)…',
      'rollout-engine: indexed 281 files, 100.6 MB read in 2.3 s',
    ]);
  });

  it('a thread indexed on its own says so, and where the rest of the home stands; a build behind serve that failed says so', () => {
    const { feedback, lines } = fake();
    const indexed = { threadId: 't-1', files: 2, bytes: 1.5 * MB, seconds: 0.04 };
    feedback.onStatus({ kind: 'threadIndexed', home: '/h', indexed, rest: 'later' });
    feedback.onStatus({ kind: 'threadIndexed', home: '/h', indexed: { ...indexed, files: 1 }, rest: 'behind' });
    feedback.onStatus({ kind: 'backfillFailed', home: '/h', error: { _tag: 'Rejected', reason: 'the disk is gone' } });
    expect(lines).to.deep.equal([
      'rollout-engine: indexed thread t-1 only (2 files, 1.5 MB in 0.0 s); the rest of /h is indexed when a command needs it (rollout-engine index does it now)',
      'rollout-engine: indexed thread t-1 only (1 file, 1.5 MB in 0.0 s); the rest of /h is being indexed',
      'rollout-engine: indexing /h stopped: the disk is gone; threads are indexed as they are asked for',
    ]);
  });

  it('a small catch-up is said only once it has taken a second; a quick one and an empty one say nothing', () => {
    const { feedback, lines, advance } = fake();
    const small = SAY_AT_ONCE_BYTES - 1;
    feedback.onStatus({ kind: 'indexing', work: 'catchUp', home: '/h', progress: progress('planned', 0, 0, 3, small) });
    advance(SAY_AFTER_MS - 1);
    feedback.onStatus({
      kind: 'indexing',
      work: 'catchUp',
      home: '/h',
      progress: progress('done', 3, small, 3, small),
    });
    feedback.onStatus({ kind: 'indexing', work: 'catchUp', home: '/h', progress: progress('planned', 0, 0, 3, 0) });
    feedback.onStatus({ kind: 'indexing', work: 'catchUp', home: '/h', progress: progress('done', 3, 0, 3, 0) });
    expect(lines).to.deep.equal([]);
    feedback.onStatus({
      kind: 'indexing',
      work: 'catchUp',
      home: '/h',
      progress: progress('planned', 0, 0, 3, 2 * MB),
    });
    advance(SAY_AFTER_MS);
    expect(lines).to.deep.equal(['rollout-engine: catching up the index of /h (2.0 MB of new lines, 3 files)…']);
    advance(500);
    feedback.onStatus({
      kind: 'indexing',
      work: 'catchUp',
      home: '/h',
      progress: progress('done', 3, 2 * MB, 3, 2 * MB),
    });
    expect(lines[1]).to.equal('rollout-engine: caught up: 3 files, 2.0 MB read in 1.5 s');
  });

  it('a catch-up that stopped short of done (failed) is said no more: no line a second later, no done line', () => {
    const { feedback, lines, advance } = fake();
    const small = SAY_AT_ONCE_BYTES - 1;
    feedback.onStatus({ kind: 'indexing', work: 'catchUp', home: '/h', progress: progress('planned', 0, 0, 3, small) });
    advance(SAY_AFTER_MS - 1);
    feedback.onStatus({ kind: 'indexing', work: 'catchUp', home: '/h', progress: progress('stopped', 1, 0, 3, small) });
    advance(SAY_AFTER_MS);
    expect(lines).to.deep.equal([]);
    // A large one said at once: its line stays, and no done line follows.
    feedback.onStatus({
      kind: 'indexing',
      work: 'build',
      home: '/h',
      progress: progress('planned', 0, 0, 3, SAY_AT_ONCE_BYTES),
    });
    feedback.onStatus({
      kind: 'indexing',
      work: 'build',
      home: '/h',
      progress: progress('stopped', 1, 0, 3, SAY_AT_ONCE_BYTES),
    });
    advance(SAY_AFTER_MS);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^rollout-engine: indexing \/h /);
  });

  it('says whom it waits for (pid and host from the lease), and how the wait ended', () => {
    const { feedback, lines, advance } = fake();
    feedback.onStatus({
      kind: 'waiting',
      home: '/h',
      holder: { owner: 'box-1:4242:k3j2', expiresAt: 0 },
      waitMs: 30_000,
    });
    advance(30_000);
    feedback.onStatus({ kind: 'waited', home: '/h', verdict: 'files' });
    expect(lines).to.deep.equal([
      'rollout-engine: waiting for another rollout-engine (pid 4242 on box-1) to finish indexing /h, up to 30 s…',
      'rollout-engine: the other rollout-engine is still indexing after 30.0 s; answering from the rollout files meanwhile (slower)',
    ]);
  });

  it('an interrupt says what was cut short, how far it got, and that it is safe; --quiet silences the rest', () => {
    const { feedback, lines } = fake();
    feedback.setQuiet(true);
    expect(feedback.interrupted()).to.equal(null);
    feedback.onStatus({ kind: 'indexing', work: 'build', home: '/h', progress: progress('planned', 0, 0) });
    feedback.onStatus({ kind: 'indexing', work: 'build', home: '/h', progress: progress('reading', 4, 41.8 * MB) });
    expect(lines).to.deep.equal([]);
    expect(feedback.interrupted()).to.equal(
      'rollout-engine: interrupted while indexing /h at 4/10 files (41.8 MB of 100.0 MB). The index keeps what was committed; the next run continues from there.\n',
    );
    expect(feedback.interrupted()).to.equal(null);
  });

  it('a step of other work (verify, a report) is said after a second, with its done line only when it succeeded', async () => {
    const { feedback, lines, advance } = fake();
    const text = stepText('verifying the index of /h', 'verified', 'verify changes nothing');
    const ok = await feedback.during(text, async () => {
      advance(1_200);
      return E.right(1);
    });
    expect(ok).to.deep.equal(E.right(1));
    const failed = await feedback.during(text, async () => {
      advance(1_200);
      expect(feedback.interrupted()).to.equal(
        'rollout-engine: interrupted while verifying the index of /h. Verify changes nothing.\n',
      );
      return E.left('no');
    });
    expect(failed).to.deep.equal(E.left('no'));
    expect(lines).to.deep.equal([
      'rollout-engine: verifying the index of /h…',
      'rollout-engine: verified in 1.2 s',
      'rollout-engine: verifying the index of /h…',
    ]);
  });
});

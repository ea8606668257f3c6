import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { CLI, generatedHome, runCli } from './cliRun.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';
import { right } from '../../../fixtures/right.js';
import { openLmdbIndex } from '../../../../adapters/driven/lmdb/indexStore.js';
import { lmdbDirOf } from '../../../../adapters/driven/lmdb/environmentFolder.js';
import { holdAt } from '../../../fixtures/heldProcess.js';
import type { HoldPointName } from '../../../../adapters/driven/system/holdPoint.js';

/** tmux runs the CLI in a real terminal; `npm test` installs it first (test/setup/ensureTmux.sh), and without it this suite is skipped (saying so). */
const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The progress bar a catch-up draws on a terminal (adapters/driving/cli/progress.ts). */
const barLine = (files: number) =>
  new RegExp(`^indexing [█░]+ (\\d+)% \\| (\\d+)/${files} files \\| ([\\d.]+)/[\\d.]+ MB \\|`, 'm');

describe('in a real terminal (tmux): the first call draws its progress, Ctrl-C says what it interrupted', function () {
  this.timeout(180_000);
  const tmp = useTempDir('cli-terminal-');
  const socket = () => nodePath.join(tmp(), 'tmux.sock');
  const tmux = (...args: string[]) => spawnSync('tmux', ['-S', socket(), ...args], { encoding: 'utf8' });
  /** The pane as a person sees it (wrapped lines joined). */
  const pane = (): string => {
    const captured = tmux('capture-pane', '-p', '-J', '-t', 'cli');
    if (captured.status !== 0) throw new Error(`the terminal is gone: ${captured.stderr}`);
    return captured.stdout;
  };

  /**
   * Run `args` in a fresh 250-column terminal; its exit code is printed after it as `EXIT=<code>`
   * (the pane stays up to 2 min for the captures). With `hold`, the CLI stops at that hit of a
   * hold point (adapters/driven/system/holdPoint.ts) until the returned `release`: what the terminal
   * shows there is a named step of the run, not a moment a capture happened to catch.
   */
  const startInTerminal = (args: ReadonlyArray<string>, hold: { point: HoldPointName; hit: number }) => {
    tmux('kill-session', '-t', 'cli');
    const step = holdAt(hold.point, hold.hit, nodePath.join(tmp(), `held-${Date.now()}`));
    const env = ['env', ...Object.entries(step.env).map(([name, value]) => `${name}=${value}`)];
    const command = [...env, process.execPath, CLI, ...args].map(quote).join(' ');
    const started = tmux(
      'new-session',
      '-d',
      '-s',
      'cli',
      '-x',
      '250',
      '-y',
      '50',
      `bash -c ${quote(`${command}; echo EXIT=$?; sleep 120`)}`,
    );
    expect(started.status, started.stderr).to.equal(0);
    return {
      /** Resolves once the CLI holds (the hang bound is the suite's timeout). */
      held: () => step.held(() => (/^EXIT=/m.test(pane()) ? `\n${pane()}` : undefined)),
      release: step.release,
    };
  };

  /** Capture the pane every 20 ms until `done(frame)`; every frame captured before. */
  const watch = async (done: (frame: string) => boolean, timeoutMs = 120_000): Promise<string[]> => {
    const frames: string[] = [];
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(20)) {
      const frame = pane();
      frames.push(frame);
      if (done(frame)) return frames;
    }
    throw new Error(`timed out; the pane shows:\n${frames[frames.length - 1]}`);
  };

  let small: { home: string; threadId: string; files: number; bytes: number };
  let large: { home: string; threadId: string; files: number; bytes: number };

  before(async function () {
    skipUnmet(this, HAVE_TMUX, 'tmux', 'apt-get install tmux; npm test installs it when it can');
    small = await generatedHome(nodePath.join(tmp(), 'home-60'), 60);
    large = await generatedHome(nodePath.join(tmp(), 'home-150'), 150);
  });
  // Each test's terminal goes with it (the temp dir, and the server's socket in it, go after the suite).
  afterEach(() => {
    if (HAVE_TMUX) tmux('kill-server');
  });

  it('the first `threads` on a ~60 MB home shows what it indexes and a progress bar while it does, then the page', async () => {
    // Held after its first batch is committed (at most 8 MB of the 60): the bar is up and not full.
    const run = startInTerminal(['threads', '--codex-home', small.home, '--limit', '2', '--asc'], {
      point: 'index.batch.committed',
      hit: 1,
    });
    await run.held();
    const mb = (small.bytes / 1048576).toFixed(1);
    const announce = `rollout-engine: indexing ${small.home} (${small.files} files, ${mb} MB)…`;
    // cli-progress redraws on its timer while the CLI holds; the frame that shows the bar is awaited, not hoped for.
    const during = await watch((f) => f.includes(announce) && barLine(small.files).test(f));
    const bar = barLine(small.files).exec(during[during.length - 1]!)!;
    expect(Number(bar[1]), 'the bar while it holds').to.be.below(100);
    expect(during[during.length - 1]).to.not.match(/^EXIT=/m);
    await run.release();
    const frames = await watch((f) => /^EXIT=\d+/m.test(f));
    const last = frames[frames.length - 1]!;
    expect(last).to.match(/^EXIT=0$/m);
    expect(last).to.contain(announce);
    expect(last).to.match(barLine(small.files));
    expect(last).to.match(
      new RegExp(`^rollout-engine: indexed ${small.files} files, ${mb} MB read in [\\d.]+ s$`, 'm'),
    );
    expect(last).to.contain(small.threadId); // the oldest thread, first with --asc
  });

  it('Ctrl-C during a long first build says what it interrupted and that it is safe, exits 130; the next run continues', async () => {
    const indexDir = nodePath.join(tmp(), 'interrupted-index');
    // Interrupted while it holds after its second batch (at most 16 MB of the 150 committed): never at its end.
    const run = startInTerminal(['threads', '--codex-home', large.home, '--index-dir', indexDir], {
      point: 'index.batch.committed',
      hit: 2,
    });
    await run.held();
    await watch((f) => barLine(large.files).test(f));
    tmux('send-keys', '-t', 'cli', 'C-c');
    const frames = await watch((f) => /^EXIT=\d+/m.test(f));
    const last = frames[frames.length - 1]!;
    expect(last).to.match(/^EXIT=130$/m);
    expect(last).to.match(
      new RegExp(
        `^rollout-engine: interrupted while indexing ${large.home} at (\\d+)/${large.files} files \\([\\d.]+ MB of [\\d.]+ MB\\)\\. ` +
          'The index keeps what was committed; the next run continues from there\\.$',
        'm',
      ),
    );
    // What the interrupted run committed, from its index: the next run finds exactly the files it
    // indexed whole unchanged, and reads exactly the bytes past their checkpoints.
    const interrupted = right(await openLmdbIndex(lmdbDirOf(indexDir))());
    let checkpoints: ReadonlyArray<{ byteOffset: number; size: number }>;
    try {
      checkpoints = right(await interrupted.range('files', [])()).map((r) => r.value);
    } finally {
      right(await interrupted.close()());
    }
    // The next run takes over the lease of the interrupted one at once and reads only what is left.
    const next = runCli(['index', '--codex-home', large.home, '--index-dir', indexDir, '--json']);
    expect(await next.exited, next.stderr()).to.equal(0);
    expect(next.stderr()).to.not.contain('waiting');
    const summary = JSON.parse(next.stdout()) as { files: number; unchanged: number; bytes: number };
    expect(summary.files).to.equal(large.files);
    const whole = checkpoints.filter((c) => c.byteOffset === c.size).length;
    expect(summary.unchanged).to.equal(whole);
    expect(summary.bytes).to.equal(large.bytes - checkpoints.reduce((n, c) => n + c.byteOffset, 0));
    // Two batches were committed whole before the Ctrl-C: some files, not all (the home is seeded, so
    // always the same files; the count is not pinned, as batch sizes are the indexer's to tune).
    expect(whole).to.be.within(1, large.files - 1);
  });
  it('view --no-open on a terminal: its start-up line names the port the system gave, the one the viewer address has', async () => {
    tmux('kill-session', '-t', 'cli');
    const command = [process.execPath, CLI, 'view', '--no-open', '--codex-home', small.home].map(quote).join(' ');
    const started = tmux(
      'new-session',
      '-d',
      '-s',
      'cli',
      '-x',
      '250',
      '-y',
      '50',
      `bash -c ${quote(`${command}; echo EXIT=$?; sleep 120`)}`,
    );
    expect(started.status, started.stderr).to.equal(0);
    const frames = await watch((f) => /JSON-RPC over WebSocket on /.test(f));
    const last = frames[frames.length - 1]!;
    const viewerPort = /^viewer: http:\/\/127\.0\.0\.1:(\d+)\/viewer\//m.exec(last)?.[1];
    const servingPort = /JSON-RPC over WebSocket on ws:\/\/127\.0\.0\.1:(\d+),/.exec(last)?.[1];
    expect(viewerPort, last).to.be.a('string');
    expect(servingPort, last).to.equal(viewerPort);
    tmux('send-keys', '-t', 'cli', 'C-c');
    // The terminal may echo the ^C on the line the exit code is printed on.
    const ended = await watch((f) => /EXIT=\d+$/m.test(f));
    expect(/EXIT=(\d+)$/m.exec(ended[ended.length - 1]!)?.[1]).to.equal('0');
  });
});

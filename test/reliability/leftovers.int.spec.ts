// What killed processes leave behind is cleaned, not accumulated: `index --rebuild` killed midway
// left an `index.rebuild-<pid>` folder per kill (262 MB after 30 kills); a writer killed midway
// leaves `.tmp` files (a second hard link of a finished file when killed between link and unlink),
// `.lock` and `.lock.break` files. `index` and the next rebuild remove those of dead processes.
// The kills are at named steps (adapters/driven/system/crashPoint.ts): every point of a rebuild
// (REBUILD_CRASH_POINTS, and the build's own catch-up: each reached once per rebuild) and, in every
// round, the writer's steps that leave files beside a rollout, whose hit and the writer's choices
// are drawn from a seed printed on failure (LEFTOVERS_SEED replays it). Each kill is checked once the process has
// exited (its crash line said), for what that step leaves; then the next `index` for none left.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ENGINE_CLI_PATH, runEngineCli } from '../compat/engineCli.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { newThread } from '../projections/synth.js';
import { runSeed, seededRandom } from '../fixtures/seededRandom.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';
import { writeCrashHome } from './crashHome.js';
import { INDEX_MARKER } from '../../adapters/driven/lmdb/indexFolder.js';
import { CRASH_AT_ENV, REBUILD_CRASH_POINTS, crashedAtLine } from '../../adapters/driven/system/crashPoint.js';
import type { CrashPointName } from '../../adapters/driven/system/crashPoint.js';

/** Rounds of the writer's kills. */
const ROUNDS = Number(process.env['LEFTOVERS_ROUNDS'] ?? 2);
const SEED_ENV = 'LEFTOVERS_SEED';
/** A writer's point kills at its 1st, 2nd or 3rd hit (drawn from the seed). */
const MAX_HIT = 3;
const CHILD = fileURLToPath(new URL('./crashChild.js', import.meta.url));

/** A rebuild's steps, in order: its catch-up's rows committed (the build under way), then the swap's. */
const REBUILD_KILLS: ReadonlyArray<CrashPointName> = ['catchUp.filesCommitted', ...REBUILD_CRASH_POINTS];

/**
 * What a rebuild killed at each step leaves in the index dir (`index` is the index's own folder):
 * during the build and once it is built, the fresh environment beside the index; with the old one
 * moved aside, both, and no index in place; with the fresh one in place, the old one.
 */
const REBUILD_LEFTOVERS: Readonly<Record<string, readonly string[]>> = {
  'catchUp.filesCommitted': ['index', 'index.rebuild-<pid>'],
  'rebuild.built': ['index', 'index.rebuild-<pid>'],
  'rebuild.swap.asideMoved': ['index.old-<pid>', 'index.rebuild-<pid>'],
  'rebuild.swap.freshMoved': ['index', 'index.old-<pid>'],
};

/**
 * The writer's steps that leave files beside a rollout, and what each leaves: a new file's temp
 * (complete, not linked), the same linked into place (a second hard link), and the lock of an
 * append killed once fsynced.
 */
const WRITER_KILLS = {
  'rollout.create.tempWritten': 'temp file',
  'rollout.create.linked': 'second hard link',
  'rollout.append.synced': 'lock',
} as const;

const environmentFolders = (indexDir: string, pid: number): string[] =>
  fs
    .readdirSync(indexDir)
    .filter((n) => /^index([.-](rebuild|old)-\d+)?$/.test(n))
    .map((n) => n.replace(`-${pid}`, '-<pid>'))
    .sort();
const leftoverFolders = (indexDir: string): string[] =>
  fs.readdirSync(indexDir).filter((n) => /^index[.-](rebuild|old)-\d+$/.test(n));
const deadPid = (): number => spawnSync('true').pid!;

/** A writer's files beside the rollouts of `home` (temp files, locks, breakers) and rollouts with a second hard link. */
const writerLeftovers = (
  home: string,
): { readonly temps: string[]; readonly locks: string[]; readonly linked: string[] } => {
  const names = fs.readdirSync(nodePath.join(home, 'sessions'), { recursive: true, encoding: 'utf8' });
  const at = (n: string) => nodePath.join(home, 'sessions', n);
  return {
    temps: names.filter((n) => n.endsWith('.tmp')),
    locks: names.filter((n) => n.endsWith('.lock') || n.endsWith('.lock.break')),
    linked: names.filter((n) => n.endsWith('.jsonl') && fs.statSync(at(n)).nlink > 1),
  };
};

/** Run `args` with the crash point set; resolved once the process has exited and its output is drained. */
const runToCrash = (
  args: readonly string[],
  crashAt: string,
): Promise<{ readonly pid: number; readonly signal: NodeJS.Signals | null; readonly stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, [CRASH_AT_ENV]: crashAt },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (_code, signal) => {
      clearTimeout(deadline);
      resolve({ pid: child.pid!, signal, stderr });
    });
  });

describe('reliability · leftovers of killed rebuilds and writers', function () {
  this.timeout(120_000);
  let home: string;
  let indexDir: string;
  /** A home of two threads the crash child mutates. */
  let writerHome: string;
  const figures = {
    killedRebuilds: 0,
    leftoverFoldersAfterKills: 0,
    leftoverFoldersAfterIndex: 0,
    killedWriters: 0,
    writerLeftovers: 0,
    writerLeftoversAfterIndex: 0,
  };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-leftovers-'));
    indexDir = nodePath.join(home, '.rollout-engine');
    writerHome = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-leftovers-writer-'));
    writeCrashHome(writerHome);
    for (let seed = 1; seed <= 40; seed++)
      await writeSynthThread(home, newThread(seed, seed % 2 === 0 ? 'paginated' : 'legacy'), 12);
    const built = await runEngineCli(['index', '--quiet', '--codex-home', home]);
    expect(built.exitCode, built.stderr).to.equal(0);
  });
  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(writerHome, { recursive: true, force: true });
    reportArea('leftovers (killed index --rebuild, killed writers)', figures);
  });

  it('index --rebuild killed at every rebuild step leaves what that step leaves, and no index.rebuild-<pid> / .old-<pid> folder once the next index runs; the index then equals a fresh fold', async () => {
    // Each step is reached once per rebuild, so the kill is its first hit and nothing is left to
    // chance: one pass over the steps (a second would repeat it). Each kill is checked once its
    // process has exited, saying its crash line, and the next index run has returned.
    for (const point of REBUILD_KILLS) {
      const killed = await runToCrash([ENGINE_CLI_PATH, 'index', '--rebuild', '--quiet', '--codex-home', home], point);
      expect(killed.signal, `${point}: ${killed.stderr.slice(-500)}`).to.equal('SIGKILL');
      expect(killed.stderr, point).to.include(crashedAtLine(point, 1));
      figures.killedRebuilds++;
      expect(environmentFolders(indexDir, killed.pid), point).to.deep.equal(REBUILD_LEFTOVERS[point]);
      figures.leftoverFoldersAfterKills += leftoverFolders(indexDir).length;
      // The next run removes them (a step that had moved the index aside left none in place: it is built again).
      const next = await runEngineCli(['index', '--quiet', '--codex-home', home]);
      expect(next.exitCode, `${point}: ${next.stderr}`).to.equal(0);
      figures.leftoverFoldersAfterIndex += leftoverFolders(indexDir).length;
      expect(leftoverFolders(indexDir), point).to.deep.equal([]);
    }
    const verified = await runEngineCli(['verify', '--codex-home', home]);
    expect(verified.exitCode, `${verified.stdout}${verified.stderr}`).to.equal(0);
    // And one left by a process that is gone for sure (made by the engine: its marker first, as
    // every environment folder it creates), removed by the next rebuild.
    const dead = nodePath.join(indexDir, `index.rebuild-${deadPid()}`);
    fs.mkdirSync(dead);
    fs.writeFileSync(nodePath.join(dead, INDEX_MARKER), '');
    fs.writeFileSync(nodePath.join(dead, 'data.mdb'), Buffer.alloc(1 << 16));
    figures.leftoverFoldersAfterKills++;
    const again = await runEngineCli(['index', '--rebuild', '--quiet', '--codex-home', home]);
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(leftoverFolders(indexDir)).to.deep.equal([]);
  });

  it(`a writer killed at each step that leaves files beside a rollout, in each of ${ROUNDS} rounds, leaves them; index removes them and the rollouts keep one link`, async () => {
    const seed = runSeed(SEED_ENV);
    const random = seededRandom(seed);
    const replay = `seed ${seed} (${SEED_ENV}=${seed} replays it)`;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [point, leaves] of Object.entries(WRITER_KILLS)) {
        const hit = 1 + Math.floor(random() * MAX_HIT);
        const at = `round ${round}, ${point}:${hit}; ${replay}`;
        const killed = await runToCrash([CHILD, writerHome, String(Math.floor(random() * 2 ** 31))], `${point}:${hit}`);
        expect(killed.signal, `${at}: ${killed.stderr.slice(-500)}`).to.equal('SIGKILL');
        expect(killed.stderr, at).to.include(crashedAtLine(point, hit));
        figures.killedWriters++;
        const left = writerLeftovers(writerHome);
        const found = leaves === 'temp file' ? left.temps : leaves === 'second hard link' ? left.linked : left.locks;
        expect(found, `${at}: a ${leaves} left (${JSON.stringify(left)})`).to.not.deep.equal([]);
        figures.writerLeftovers += left.temps.length + left.locks.length + left.linked.length;
        const next = await runEngineCli(['index', '--quiet', '--codex-home', writerHome]);
        expect(next.exitCode, `${at}: ${next.stderr}`).to.equal(0);
        const after = writerLeftovers(writerHome);
        figures.writerLeftoversAfterIndex += after.temps.length + after.locks.length + after.linked.length;
        expect(after, at).to.deep.equal({ temps: [], locks: [], linked: [] });
      }
    }
    const verified = await runEngineCli(['verify', '--codex-home', writerHome]);
    expect(verified.exitCode, `${verified.stdout}${verified.stderr}; ${replay}`).to.equal(0);
  });

  it('a temp file of a dead pid (a second hard link), its dead lock, an empty lock and a breaker file are removed by index; the rollout is intact', async () => {
    const id = 'dddddddd-0000-7000-8000-0000000000f1';
    const path = writeRollout(home, rolloutName(id), chatThread('paginated', id, 2).text());
    const dir = dayDir(home);
    const temp = nodePath.join(dir, `.${rolloutName(id)}.${deadPid()}-0a1b2c3d.tmp`);
    fs.linkSync(path, temp);
    fs.writeFileSync(
      `${temp}.lock`,
      JSON.stringify({ pid: deadPid(), host: os.hostname(), token: 't', acquiredAt: new Date().toISOString() }),
    );
    fs.writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${path}.lock`, old, old);
    fs.writeFileSync(`${path}.lock.break`, '');
    fs.utimesSync(`${path}.lock.break`, old, old);
    const leftovers = () =>
      fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.tmp') || n.endsWith('.lock') || n.endsWith('.break') || n.includes('.tmp.'));
    figures.writerLeftovers += leftovers().length;
    expect(fs.statSync(path).nlink).to.equal(2);
    const run = await runEngineCli(['index', '--quiet', '--codex-home', home]);
    expect(run.exitCode, run.stderr).to.equal(0);
    figures.writerLeftoversAfterIndex += leftovers().length;
    expect(leftovers()).to.deep.equal([]);
    expect(fs.statSync(path).nlink).to.equal(1);
    expect(fs.readFileSync(path, 'utf8')).to.equal(chatThread('paginated', id, 2).text());
  });
});

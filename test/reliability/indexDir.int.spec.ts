// Issue 39, items 1, 7 and 8: the index dir holds only what the engine made (a user's folder at
// `DIR/index`, or named like a rebuild's leftover, is refused and never chmodded, filled, moved or
// deleted); concurrent first opens of a copied home serialise on the index lock around the
// re-root rebuild and its swap; a home used once by root stays usable by its owner.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { open } from 'lmdb';
import { ENGINE_CLI_PATH, runEngineCli } from '../compat/engineCli.js';
import type { EngineCliRun } from '../compat/engineCli.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { chownTree } from '../fixtures/chownTree.js';

const threadId = (n: number): string => `01a1fe84-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const MARKER = 'rollout-engine-index';
/** A pid above any this machine gives (pid_max ≤ 2^22): a leftover of a process that is gone. */
const DEAD_PID = 4_194_301;

const homeWith = (home: string, threads: number, turns = 2): string[] => {
  const ids = Array.from({ length: threads }, (_, i) => threadId(0xe00 + i));
  for (const id of ids) writeRollout(home, rolloutName(id), chatThread('legacy', id, turns).text());
  return ids;
};

/** What a folder holds, byte for byte, with its modes and times: a planted folder must keep all of it. */
const snapshot = (dir: string): string =>
  JSON.stringify(
    [dir, ...fs.readdirSync(dir).map((n) => nodePath.join(dir, n))].map((p) => {
      const st = fs.lstatSync(p);
      return [nodePath.basename(p), st.mode, st.mtimeMs, st.isFile() ? fs.readFileSync(p).toString('base64') : null];
    }),
  );

/** A folder of the user's with a file in it, dated an hour ago, mode 0755. */
const plant = (dir: string): (() => boolean) => {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(nodePath.join(dir, 'notes.txt'), 'notes\n');
  const past = new Date(Date.now() - 3600_000);
  fs.utimesSync(nodePath.join(dir, 'notes.txt'), past, past);
  fs.utimesSync(dir, past, past);
  const before = snapshot(dir);
  return () => fs.existsSync(dir) && snapshot(dir) === before;
};

describe('reliability · index dir', function () {
  this.timeout(300_000);
  const tmp = useTempDir('rel-indexdir-');

  describe('the index dir holds only what the engine made', () => {
    const figures = { trials: 0, refused: 0, escapes: 0, lost: 0, hangs: 0, sweptOwn: 0 };
    after(() => reportArea('index dir · foreign folders', figures));

    const cli = async (args: ReadonlyArray<string>): Promise<EngineCliRun> => {
      const r = await runEngineCli(args, 60_000);
      figures.trials += 1;
      if (r.timedOut) figures.hangs += 1;
      return r;
    };

    it('a folder of the user at DIR/index is refused by index --rebuild, repair, index, verify and the views; nothing in it is changed, chmodded or deleted', async () => {
      const home = nodePath.join(tmp(), 'home1');
      const [id] = homeWith(home, 1);
      const dir = nodePath.join(tmp(), 'u');
      const untouched = plant(nodePath.join(dir, 'index'));
      for (const args of [['index', '--rebuild'], ['repair'], ['index'], ['verify'], ['threads'], ['turns', id!]]) {
        const r = await cli([...args, '--codex-home', home, '--index-dir', dir]);
        const held = untouched();
        if (!held) figures.escapes += 1;
        if (!fs.existsSync(nodePath.join(dir, 'index', 'notes.txt'))) figures.lost += 1;
        expect(held, `${args.join(' ')} changed ${dir}/index`).to.equal(true);
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
        expect(r.stderr).to.include(`${nodePath.join(dir, 'index')} is not a rollout-engine index (found notes.txt`);
        figures.refused += 1;
      }
      // A link at DIR/index (to the user's folder) is refused too, and not followed.
      const linked = nodePath.join(tmp(), 'linked');
      fs.mkdirSync(linked);
      fs.symlinkSync(nodePath.join(dir, 'index'), nodePath.join(linked, 'index'));
      const r = await cli(['index', '--rebuild', '--codex-home', home, '--index-dir', linked]);
      // Refused as every link at an engine file is (adapters/driven/fs/noFollow.ts): an Io error naming the link, exit 1.
      expect(r.exitCode, r.stderr).to.equal(1);
      expect(r.stderr).to.include(`${nodePath.join(linked, 'index')} is a symbolic link: refused`);
      expect(untouched()).to.equal(true);
      figures.refused += 1;
    });

    it('folders named like a rebuild leftover that are not the engine are kept; an engine leftover of a dead rebuild is swept', async () => {
      const home = nodePath.join(tmp(), 'home2');
      homeWith(home, 2);
      const dir = nodePath.join(tmp(), 'v');
      expect((await cli(['index', '--codex-home', home, '--index-dir', dir])).exitCode).to.equal(0);
      const planted = ['index.rebuild-', 'index.old-', 'index-rebuild-', 'index-old-'].map((p) =>
        plant(nodePath.join(dir, `${p}${DEAD_PID}`)),
      );
      // An engine leftover: a copy of the index, as a rebuild killed before its swap leaves it.
      const own = nodePath.join(dir, `index.rebuild-${DEAD_PID - 1}`);
      fs.cpSync(nodePath.join(dir, 'index'), own, { recursive: true });
      for (const args of [['index', '--rebuild'], ['index'], ['index', '--rebuild']]) {
        const r = await cli([...args, '--codex-home', home, '--index-dir', dir]);
        expect(r.exitCode, r.stderr).to.equal(0);
      }
      const kept = planted.filter((held) => held()).length;
      figures.escapes += planted.length - kept;
      expect(kept).to.equal(planted.length);
      expect(fs.existsSync(own), 'the engine leftover of a dead rebuild was not swept').to.equal(false);
      figures.sweptOwn += 1;
      expect(fs.readdirSync(nodePath.join(dir, 'index')).sort()).to.deep.equal([
        'data.mdb',
        'environment.lock',
        'lock.mdb',
        MARKER,
      ]);
    });

    it('an index of an older engine (no marker) is recognised by its schema and marked', async () => {
      const home = nodePath.join(tmp(), 'home3');
      homeWith(home, 2);
      const dir = nodePath.join(tmp(), 'w');
      expect((await cli(['index', '--codex-home', home, '--index-dir', dir])).exitCode).to.equal(0);
      fs.rmSync(nodePath.join(dir, 'index', MARKER), { force: true });
      const threads = await cli(['threads', '--codex-home', home, '--index-dir', dir, '--json']);
      expect(threads.exitCode, threads.stderr).to.equal(0);
      expect((JSON.parse(threads.stdout) as { data: unknown[] }).data).to.have.length(2);
      expect(fs.existsSync(nodePath.join(dir, 'index', MARKER)), 'the older index got its marker').to.equal(true);
    });

    it('an LMDB environment of another program at DIR/index is refused and its data left as it was', async () => {
      const home = nodePath.join(tmp(), 'home4');
      homeWith(home, 1);
      const other = nodePath.join(tmp(), 'x');
      const env = open({ path: nodePath.join(other, 'index'), maxDbs: 4 });
      env.openDB({ name: 'theirs' }).putSync('k', 'their data');
      await env.close();
      const data = nodePath.join(other, 'index', 'data.mdb');
      const bytes = fs.readFileSync(data);
      const mode = fs.statSync(nodePath.join(other, 'index')).mode;
      for (const args of [['index', '--rebuild'], ['threads']]) {
        const r = await cli([...args, '--codex-home', home, '--index-dir', other]);
        const same =
          fs.existsSync(data) &&
          fs.readFileSync(data).equals(bytes) &&
          fs.statSync(nodePath.join(other, 'index')).mode === mode &&
          !fs.existsSync(nodePath.join(other, 'index', MARKER));
        if (!same) figures.escapes += 1;
        expect(same, `${args.join(' ')} changed the other LMDB environment`).to.equal(true);
        expect(r.exitCode, r.stderr).to.equal(2);
        expect(r.stderr).to.include('an LMDB environment without the index schema');
        figures.refused += 1;
      }
    });
  });

  describe('the index swap under a cross-process lock', () => {
    const figures = {
      trials: 0,
      rounds: 0,
      failedOpens: 0,
      wrongAnswers: 0,
      leftovers: 0,
      verifyFailures: 0,
      hangs: 0,
      saidWaiting: 0,
    };
    after(() => reportArea('index dir · concurrent first opens', figures));

    it('24 processes opening a copied home for the first time (views and index --rebuild) all exit 0 with the home threads; no leftover folders; verify exits 0', async () => {
      const home = nodePath.join(tmp(), 'original');
      const ids = homeWith(home, 6, 3);
      expect((await runEngineCli(['index', '--codex-home', home], 60_000)).exitCode).to.equal(0);
      for (let round = 0; round < 2; round++) {
        figures.rounds += 1;
        const copy = nodePath.join(tmp(), `copy-${round}`);
        fs.cpSync(home, copy, { recursive: true });
        const runs = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            runEngineCli(
              i % 8 === 7 ? ['index', '--rebuild', '--codex-home', copy] : ['threads', '--codex-home', copy, '--json'],
              120_000,
            ),
          ),
        );
        figures.trials += runs.length;
        const failed = runs.filter((r) => r.exitCode !== 0);
        figures.failedOpens += failed.length;
        figures.hangs += runs.filter((r) => r.timedOut).length;
        // Those that waited past a second for another's rebuild said so (how many is up to the scheduler).
        figures.saidWaiting += runs.filter((r) =>
          r.stderr.includes('waiting for another rollout-engine, which holds'),
        ).length;
        for (const r of runs.filter((x) => x.exitCode === 0 && x.args[0] === 'threads')) {
          const listed = (JSON.parse(r.stdout) as { data: Array<{ id: string; path: string }> }).data;
          const right = listed.length === ids.length && listed.every((t) => t.path.startsWith(copy));
          if (!right) figures.wrongAnswers += 1;
        }
        const left = fs
          .readdirSync(nodePath.join(copy, '.rollout-engine'))
          .filter((n) => /^index[.-](rebuild|old)-\d+$|^index\.lock$/.test(n));
        figures.leftovers += left.length;
        const verify = await runEngineCli(['verify', '--codex-home', copy], 120_000);
        if (verify.exitCode !== 0) figures.verifyFailures += 1;
        expect(failed.map((r) => `${r.args.join(' ')} → ${r.exitCode}: ${r.stderr.slice(0, 300)}`)).to.deep.equal([]);
        expect(figures.wrongAnswers).to.equal(0);
        expect(left).to.deep.equal([]);
        expect(verify.exitCode, verify.stdout + verify.stderr).to.equal(0);
      }
    });
  });

  describe('a home used once by root stays usable by its owner', () => {
    const figures = { trials: 0, lockouts: 0, wrongAnswers: 0, hangs: 0 };
    after(() => reportArea('index dir · home used by root', figures));
    const OWNER = 12345;

    /** The CLI as another user (node and the built CLI are world-readable; the test's folders are made traversable). */
    const cliAs = (
      uid: number,
      args: ReadonlyArray<string>,
      env: NodeJS.ProcessEnv,
    ): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [ENGINE_CLI_PATH, ...args],
          {
            uid,
            gid: uid,
            timeout: 60_000,
            killSignal: 'SIGKILL',
            encoding: 'utf8',
            env: { ...process.env, ...env },
            maxBuffer: 64 << 20,
          },
          (error, stdout, stderr) => {
            const failure = error as (Error & { code?: unknown; killed?: boolean }) | null;
            resolve({
              code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
              stdout,
              stderr,
              timedOut: failure?.killed === true,
            });
          },
        );
      });

    it("root's run leaves .rollout-engine/ root-owned 0700: the owner's threads, turns and read answer from the cache index, as root's did, and say so", async function () {
      skipUnmet(this, process.getuid?.() === 0, 'root', 'to run as another user');
      fs.chmodSync(tmp(), 0o755);
      const base = nodePath.join(tmp(), 'rooted');
      const home = nodePath.join(base, 'home');
      const [id] = homeWith(home, 3);
      const commands = [['threads'], ['turns', id!], ['read', id!]].map((c) => [...c, '--codex-home', home, '--json']);
      const asRoot: string[] = [];
      for (const args of commands) {
        const r = await runEngineCli(args, 60_000);
        expect(r.exitCode, r.stderr).to.equal(0);
        asRoot.push(r.stdout);
      }
      const engineDir = nodePath.join(home, '.rollout-engine');
      expect(fs.statSync(engineDir).mode & 0o777).to.equal(0o700);
      // The home is the owner's; what root's run made stays root's.
      chownTree(base, OWNER);
      chownTree(engineDir, 0);
      const userHome = nodePath.join(base, 'user');
      fs.mkdirSync(userHome);
      fs.chownSync(userHome, OWNER, OWNER);
      for (const [i, args] of commands.entries()) {
        const r = await cliAs(OWNER, args, { HOME: userHome, XDG_CACHE_HOME: '' });
        figures.trials += 1;
        if (r.timedOut) figures.hangs += 1;
        if (r.code !== 0) figures.lockouts += 1;
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
        if (r.stdout !== asRoot[i]) figures.wrongAnswers += 1;
        expect(JSON.parse(r.stdout)).to.deep.equal(JSON.parse(asRoot[i]!));
        expect(r.stderr).to.include(`${engineDir} is not writable by this user`);
        expect(r.stderr).to.include('answering without the read receipts and stored git info');
      }
      // The other views and reports go on from the cache index too.
      for (const args of [['index'], ['items', id!], ['tokens'], ['verify']]) {
        const r = await cliAs(OWNER, [...args, '--codex-home', home], { HOME: userHome, XDG_CACHE_HOME: '' });
        figures.trials += 1;
        if (r.timedOut) figures.hangs += 1;
        if (r.code !== 0) figures.lockouts += 1;
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
      }
      expect(fs.readdirSync(nodePath.join(userHome, '.cache', 'rollout-engine'))).to.have.length(1);
      // A change the thread-state log must take is refused with the reason, and nothing is made.
      const before = snapshot(engineDir);
      const mark = await cliAs(
        OWNER,
        ['read-state', id!, '--mark', 'read', '--expected-revision', `initial:${id!}`, '--codex-home', home],
        {
          HOME: userHome,
          XDG_CACHE_HOME: '',
        },
      );
      figures.trials += 1;
      expect(mark.code, mark.stderr).to.equal(2);
      expect(mark.stderr).to.include('thread-state.jsonl is not writable by this user (EACCES)');
      expect(snapshot(engineDir)).to.equal(before);
    });
  });
});

import { snapshot } from '../../../fixtures/dirSnapshot.js';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { CLI } from '../../../fixtures/cliBundle.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';
import { chownTree } from '../../../fixtures/chownTree.js';

const LEGACY = '01a1fe84-0000-7000-8000-00000000002a';
const NOBODY = 65534;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));

/** Every folder under `dir` (and itself) to `mode`, every file to read-only. */
const chmodTree = (dir: string, mode: number): void => {
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = nodePath.join(entry.parentPath, entry.name);
    fs.chmodSync(p, entry.isDirectory() ? mode : 0o444);
  }
  fs.chmodSync(dir, mode);
};

/**
 * Reading a home this user cannot write (auditing someone else's). Root ignores mode bits, so the
 * CLI runs as `nobody` (setpriv) on a root-owned home of mode 0555; where that is not possible the
 * choice itself is covered by indexPlace.unit.spec.ts with an injected probe.
 */
describe('a home this user can read but not write', function () {
  const tmp = useTempDir('read-only-home-');
  let home: string;
  let homeWithIndex: string;
  let cache: string;

  const asNobody = (...args: string[]) =>
    spawnSync(SETPRIV!, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, ...args], {
      encoding: 'utf8',
      env: { ...process.env, HOME: cache, XDG_CACHE_HOME: cache, CODEX_HOME: '' },
    });

  before(function () {
    skipUnmet(this, process.getuid?.() === 0, 'root', 'to run as another user');
    skipUnmet(this, SETPRIV !== undefined, 'setpriv', 'util-linux runs the CLI as another user');
    fs.chmodSync(tmp(), 0o755);
    home = nodePath.join(tmp(), 'alice');
    homeWithIndex = nodePath.join(tmp(), 'alice-indexed');
    for (const h of [home, homeWithIndex]) writeRollout(h, rolloutName(LEGACY), chatThread('legacy', LEGACY, 2).text());
    // The owner has indexed this one: its `.rollout-engine/` exists and is theirs.
    const indexed = spawnSync(process.execPath, [CLI, 'index', '--codex-home', homeWithIndex], { encoding: 'utf8' });
    expect(indexed.status, indexed.stderr).to.equal(0);
    for (const h of [home, homeWithIndex]) chmodTree(h, 0o555);
    cache = nodePath.join(tmp(), 'bob-cache');
    fs.mkdirSync(cache);
    fs.chownSync(cache, NOBODY, NOBODY);
  });

  after(() => {
    // Let the temp dir be removed.
    for (const h of [home, homeWithIndex]) if (h !== undefined && fs.existsSync(h)) chmodTree(h, 0o755);
  });

  for (const which of ['without an index', 'with its owner’s index'] as const) {
    it(`${which}: reads work from an index in the user's cache, said once on stderr; the home is untouched`, () => {
      const h = which === 'without an index' ? home : homeWithIndex;
      const before = snapshot(h);
      const threads = asNobody('threads', '--codex-home', h, '--json');
      expect(threads.status, threads.stderr).to.equal(0);
      expect((JSON.parse(threads.stdout) as { data: Array<{ id: string }> }).data.map((t) => t.id)).to.deep.equal([
        LEGACY,
      ]);
      const note = threads.stderr.trim().split('\n');
      expect(note, threads.stderr).to.have.length(1);
      expect(note[0]).to.contain(h).and.to.contain(nodePath.join(cache, 'rollout-engine'));
      const read = asNobody('read', LEGACY, '--codex-home', h, '--json');
      expect(read.status, read.stderr).to.equal(0);
      expect((JSON.parse(read.stdout) as { turns: unknown[] }).turns).to.have.length(2);
      expect(snapshot(h)).to.deep.equal(before);
      expect(fs.existsSync(nodePath.join(home, '.rollout-engine'))).to.equal(false);
    });
  }

  it('a mutation fails with a clear error (not an LMDB one), and writes nothing', () => {
    const before = snapshot(home);
    const r = asNobody('rollback', LEGACY, '--num-turns', '1', '--codex-home', home);
    expect(r.status, r.stderr).to.equal(1);
    const error = r.stderr.trim().split('\n').at(-1)!;
    expect(error, r.stderr).to.contain(`CODEX_HOME ${home} is not writable by this user`);
    expect(r.stderr).to.not.match(/lmdb|LMDB/);
    expect(snapshot(home)).to.deep.equal(before);
  });

  it('a home of this user with one folder it cannot write: the mutation fails naming that folder, not the home, and its files are as they were', () => {
    const own = nodePath.join(tmp(), 'bob-home');
    const path = writeRollout(own, rolloutName(LEGACY), chatThread('legacy', LEGACY, 2).text());
    chownTree(own, NOBODY);
    const day = nodePath.dirname(path);
    fs.chmodSync(day, 0o555);
    const before = snapshot(day);
    const r = asNobody('rollback', LEGACY, '--num-turns', '1', '--codex-home', own);
    expect(r.status, r.stderr).to.equal(1);
    const error = r.stderr.trim().split('\n').at(-1)!;
    expect(error, r.stderr).to.contain(`${day} in CODEX_HOME ${own} is not writable by this user`);
    expect(snapshot(day)).to.deep.equal(before);
    fs.chmodSync(day, 0o755);
  });

  it('an explicit --index-dir this user cannot write: exit 2 and a clear error naming it', () => {
    const locked = nodePath.join(tmp(), 'locked');
    fs.mkdirSync(locked, { mode: 0o555 });
    const indexDir = nodePath.join(locked, 'ix');
    const r = asNobody('threads', '--codex-home', home, '--index-dir', indexDir);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr)
      .to.contain(indexDir)
      .and.to.match(/not writable by this user/);
    expect(r.stderr).to.not.match(/lmdb|LMDB/);
    expect(fs.existsSync(indexDir)).to.equal(false);
  });
});

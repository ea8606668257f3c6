import { snapshot } from '../../../fixtures/dirSnapshot.js';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { CLI } from '../../../fixtures/cliBundle.js';

const LEGACY = '01a1fe84-0000-7000-8000-00000000001a';
const PAGINATED = '01a1fe84-0000-7000-8000-00000000001b';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('a copied or moved home is re-rooted: nothing is read or written through the old paths', () => {
  const tmp = useTempDir('copied-home-');

  it('`cp -r A B`, then a rollback on B appends to B only, and `read` on B names B', () => {
    const a = nodePath.join(tmp(), 'A');
    const b = nodePath.join(tmp(), 'B');
    writeRollout(a, rolloutName(LEGACY), chatThread('legacy', LEGACY, 3).text());
    writeRollout(a, rolloutName(PAGINATED), chatThread('paginated', PAGINATED, 3).text());
    const indexed = run('index', '--codex-home', a);
    expect(indexed.status, indexed.stderr).to.equal(0);
    expect(fs.existsSync(nodePath.join(a, '.rollout-engine', 'index'))).to.equal(true);
    fs.cpSync(a, b, { recursive: true });
    const before = snapshot(a);

    for (const id of [LEGACY, PAGINATED]) {
      const rolled = run('rollback', id, '--num-turns', '1', '--codex-home', b, '--json');
      expect(rolled.status, rolled.stderr).to.equal(0);
      const written = (JSON.parse(rolled.stdout) as { written: { path: string } }).written.path;
      expect(written.startsWith(b + nodePath.sep), written).to.equal(true);
    }
    expect(snapshot(a)).to.deep.equal(before);

    for (const id of [LEGACY, PAGINATED]) {
      const read = run('read', id, '--codex-home', b, '--json');
      expect(read.status, read.stderr).to.equal(0);
      const thread = JSON.parse(read.stdout) as { path: string; turns: unknown[] };
      expect(thread.path.startsWith(nodePath.join(b, 'sessions') + nodePath.sep), thread.path).to.equal(true);
      expect(thread.turns).to.have.length(2);
    }
    // A is as it was: its own index still answers for A, with A's three turns.
    const readA = run('read', LEGACY, '--codex-home', a, '--json');
    expect(readA.status, readA.stderr).to.equal(0);
    expect((JSON.parse(readA.stdout) as { turns: unknown[] }).turns).to.have.length(3);
  });

  it('`mv A C`: reads on C name C (the index came along, the old paths are gone)', () => {
    const a = nodePath.join(tmp(), 'A2');
    const c = nodePath.join(tmp(), 'C');
    writeRollout(a, rolloutName(LEGACY), chatThread('legacy', LEGACY, 2).text());
    expect(run('index', '--codex-home', a).status).to.equal(0);
    fs.renameSync(a, c);
    const read = run('read', LEGACY, '--codex-home', c, '--json');
    expect(read.status, read.stderr).to.equal(0);
    expect((JSON.parse(read.stdout) as { path: string }).path.startsWith(c + nodePath.sep)).to.equal(true);
    expect(fs.existsSync(a)).to.equal(false);
  });
});

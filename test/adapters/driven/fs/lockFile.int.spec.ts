import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { acquireLock, releaseLock } from '../../../../adapters/driven/fs/lockFile.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

describe('lockFile: a writer’s lock', () => {
  const tmp = useTempDir('lockfile-');

  it('an uncontended lock is taken and let go within one turn of the event loop: no trip through the thread pool, each of which waits a turn under load', async () => {
    const lockPath = nodePath.join(tmp(), 'rollout.jsonl.lock');
    let turned = false;
    setImmediate(() => (turned = true));
    const lock = await acquireLock(lockPath);
    const heldMode = fs.statSync(lockPath).mode & 0o777;
    const released = await releaseLock(lock);
    expect({ turned, heldMode, released, left: fs.existsSync(lockPath) }).to.deep.equal({
      turned: false,
      heldMode: 0o644,
      released: true,
      left: false,
    });
  });

  it('a lock at a link is refused and the link’s target left as it was', async () => {
    const dir = tmp();
    const target = nodePath.join(dir, 'target');
    fs.writeFileSync(target, 'keep');
    const lockPath = nodePath.join(dir, 'rollout.jsonl.lock');
    fs.symlinkSync(target, lockPath);
    const refused = await acquireLock(lockPath, { waitMs: 50 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).to.not.equal(undefined);
    expect(fs.readFileSync(target, 'utf8')).to.equal('keep');
  });
});

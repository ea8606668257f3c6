import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { processesLeft } from './processesLeft.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';

describe('the check that npm test leaves no process running (test/setup/processesLeft.ts)', function () {
  before(function () {
    skipUnmet(this, process.platform === 'linux', 'linux', 'the check reads /proc');
  });

  it('names a child, and an orphaned grandchild in a process group of its own (by the run mark), until each has ended', async () => {
    // sh starts a detached sleep and exits at once: the sleep is re-parented to init, as flock's was.
    const parent = spawn('sh', ['-c', 'setsid sleep 300 >/dev/null 2>&1 & echo $!'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const orphan = Number(
      await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString('utf8')))),
    );
    await new Promise((resolve) => parent.once('exit', resolve));
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const left = processesLeft().map((p) => p.pid);
      expect(left).to.include(orphan).and.to.include(child.pid);
    } finally {
      process.kill(orphan, 'SIGKILL');
      child.kill('SIGKILL');
    }
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
    );
    // The orphan is init's to reap: gone from /proc, or a zombie (not counted) once killed.
    for (let i = 0; i < 100 && processesLeft().some((p) => p.pid === orphan); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const after = processesLeft().map((p) => p.pid);
    expect(after).to.not.include(orphan);
    expect(after).to.not.include(child.pid);
  });
});

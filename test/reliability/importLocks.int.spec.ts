// Issue 39 (item 11), the locks of killed imports: `import claude` holds
// `<CODEX_HOME>/.import-<hash>.lock` while it reads a source; an import killed mid-way left it there
// forever (the leftovers sweep looked only in sessions/ and archived_sessions/). `index` now
// removes it once its holder is gone (the lock rule of lockFile.ts) and keeps a live holder's.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { importLockPathOf } from '../../adapters/driven/externalAgents/importLock.js';
import { acquireLock, releaseLock } from '../../adapters/driven/fs/lockFile.js';
import { runEngineCli } from '../compat/engineCli.js';
import { reportArea } from './areaSummary.js';

const LOCK_FILE_MODULE = fileURLToPath(new URL('../../adapters/driven/fs/lockFile.js', import.meta.url));

/** A process that takes the import lock of `source` as an import does, says so, and is SIGKILLed holding it. */
const killedHolder = async (codexHome: string, source: string): Promise<string> => {
  const lockPath = importLockPathOf(codexHome, source);
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(LOCK_FILE_MODULE)}); await m.acquireLock(${JSON.stringify(lockPath)}); console.log('held'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => (d.toString().includes('held') ? resolve() : undefined));
    child.on('exit', () => reject(new Error('the holder exited before it held the lock')));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return lockPath;
};

describe('reliability · locks of killed imports', function () {
  this.timeout(120_000);
  const figures = { trials: 0, killedHolders: 0, leftAfterIndex: 0, liveLocksRemoved: 0 };
  let home: string;

  beforeEach(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-import-locks-'));
    fs.mkdirSync(nodePath.join(home, 'sessions'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));
  after(() => reportArea('import locks (killed imports)', figures));

  it('index removes the .import-<hash>.lock of killed imports (and an abandoned breaker) and keeps a live holder’s', async () => {
    const dead: string[] = [];
    for (let i = 0; i < 3; i++) dead.push(await killedHolder(home, `/claude/projects/p/s${i}.jsonl`));
    figures.killedHolders += dead.length;
    const breaker = `${importLockPathOf(home, '/claude/projects/p/broken.jsonl')}.break`;
    fs.writeFileSync(breaker, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(breaker, old, old);
    const live = await acquireLock(importLockPathOf(home, '/claude/projects/p/live.jsonl'));
    // Codex's own files in the home are none of the sweep's business, whatever their name ends with.
    fs.writeFileSync(nodePath.join(home, 'other.lock'), '');
    try {
      for (const p of dead) expect(fs.existsSync(p), `${p} before index`).to.equal(true);
      figures.trials += 1;
      const run = await runEngineCli(['index', '--quiet', '--codex-home', home]);
      expect(run.exitCode, run.stderr).to.equal(0);
      const left = [...dead, breaker].filter((p) => fs.existsSync(p));
      figures.leftAfterIndex += left.length;
      expect(left, 'leftovers of killed imports after index').to.deep.equal([]);
      const liveKept = fs.existsSync(live.lockPath);
      if (!liveKept) figures.liveLocksRemoved += 1;
      expect(liveKept, 'a live import’s lock was removed').to.equal(true);
      expect(fs.existsSync(nodePath.join(home, 'other.lock'))).to.equal(true);
    } finally {
      await releaseLock(live);
    }
  });
});

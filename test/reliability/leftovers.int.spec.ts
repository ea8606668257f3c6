// What killed processes leave behind is cleaned, not accumulated: `index --rebuild` killed midway
// left an `index.rebuild-<pid>` folder per kill (262 MB after 30 kills); a writer killed midway
// leaves `.tmp` files (a second hard link of a finished file when killed between link and unlink),
// `.lock` and `.lock.break` files. `index` and the next rebuild remove those of dead processes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { ENGINE_CLI_PATH, runEngineCli } from '../compat/engineCli.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { newThread } from '../projections/synth.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';
import { INDEX_MARKER } from '../../adapters/lmdb/indexFolder.js';

const leftoverFolders = (indexDir: string): string[] => fs.readdirSync(indexDir).filter((n) => /^index[.-](rebuild|old)-\d+$/.test(n));
const deadPid = (): number => spawnSync('true').pid!;

describe('reliability · leftovers of killed rebuilds and writers', function () {
  this.timeout(120_000);
  let home: string;
  let indexDir: string;
  const figures = { killedRebuilds: 0, leftoverFoldersAfterKills: 0, leftoverFoldersAfterIndex: 0, writerLeftovers: 0, writerLeftoversAfterIndex: 0 };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-leftovers-'));
    indexDir = nodePath.join(home, '.rollout-engine');
    for (let seed = 1; seed <= 150; seed++) await writeSynthThread(home, newThread(seed, seed % 2 === 0 ? 'paginated' : 'legacy'), 12);
    const built = await runEngineCli(['index', '--quiet', '--codex-home', home]);
    expect(built.exitCode, built.stderr).to.equal(0);
  });
  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('leftovers (killed index --rebuild, killed writers)', figures);
  });

  it('index --rebuild killed at random moments leaves no index.rebuild-<pid> / .old-<pid> folder once the next index runs', async () => {
    // Killed at fractions of how long a whole rebuild takes on this machine, so the kills land inside it.
    const t0 = Date.now();
    const whole = await runEngineCli(['index', '--rebuild', '--quiet', '--codex-home', home]);
    expect(whole.exitCode, whole.stderr).to.equal(0);
    const took = Date.now() - t0;
    for (const delay of [0.3, 0.5, 0.7, 0.85].map((f) => Math.round(f * took))) {
      const child = spawn(process.execPath, [ENGINE_CLI_PATH, 'index', '--rebuild', '--quiet', '--codex-home', home], { stdio: 'ignore' });
      // Listened to from the start: a rebuild quicker than the delay has closed before the kill.
      const closed = new Promise((resolve) => child.once('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await closed;
      figures.killedRebuilds++;
    }
    // And one left by a process that is gone for sure, whatever the kills above caught (made by the
    // engine: its marker first, as every environment folder it creates).
    const dead = nodePath.join(indexDir, `index.rebuild-${deadPid()}`);
    fs.mkdirSync(dead);
    fs.writeFileSync(nodePath.join(dead, INDEX_MARKER), '');
    fs.writeFileSync(nodePath.join(dead, 'data.mdb'), Buffer.alloc(1 << 16));
    figures.leftoverFoldersAfterKills = leftoverFolders(indexDir).length;
    expect(figures.leftoverFoldersAfterKills).to.be.greaterThan(0);
    const again = await runEngineCli(['index', '--rebuild', '--quiet', '--codex-home', home]);
    expect(again.exitCode, again.stderr).to.equal(0);
    figures.leftoverFoldersAfterIndex = leftoverFolders(indexDir).length;
    expect(leftoverFolders(indexDir)).to.deep.equal([]);
  });

  it('a killed writer’s temp file (a second hard link), its dead lock, an empty lock and a breaker file are removed by index; the rollout is intact', async () => {
    const id = 'dddddddd-0000-7000-8000-0000000000f1';
    const path = writeRollout(home, rolloutName(id), chatThread('paginated', id, 2).text());
    const dir = dayDir(home);
    const temp = nodePath.join(dir, `.${rolloutName(id)}.${deadPid()}-0a1b2c3d.tmp`);
    fs.linkSync(path, temp);
    fs.writeFileSync(`${temp}.lock`, JSON.stringify({ pid: deadPid(), host: os.hostname(), token: 't', acquiredAt: new Date().toISOString() }));
    fs.writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${path}.lock`, old, old);
    fs.writeFileSync(`${path}.lock.break`, '');
    fs.utimesSync(`${path}.lock.break`, old, old);
    const leftovers = () => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock') || n.endsWith('.break') || n.includes('.tmp.'));
    figures.writerLeftovers = leftovers().length;
    expect(fs.statSync(path).nlink).to.equal(2);
    const run = await runEngineCli(['index', '--quiet', '--codex-home', home]);
    expect(run.exitCode, run.stderr).to.equal(0);
    figures.writerLeftoversAfterIndex = leftovers().length;
    expect(leftovers()).to.deep.equal([]);
    expect(fs.statSync(path).nlink).to.equal(1);
    expect(fs.readFileSync(path, 'utf8')).to.equal(chatThread('paginated', id, 2).text());
  });
});

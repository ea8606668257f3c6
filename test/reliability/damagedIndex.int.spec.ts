// Issue 51, finding 1: a truncated or partly overwritten `data.mdb` killed every command with
// SIGBUS, `repair` included (7 of 7 truncations); only `index --rebuild` recovered, and nothing
// said so. Expected: the damage found before LMDB maps the file (its size against the
// environment's own meta pages, the main databases' root pages), refused as Corrupt saying what
// to run; `repair` rebuilds it. Each command runs as users run it, in a child process of the CLI.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { currentMetaOf } from '../fixtures/lmdbMetaPage.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';
import { stderrJson } from '../fixtures/stderrJson.js';

const THREADS = 30;
const figures = { damages: 0, commandRuns: 0, signalDeaths: 0, refusedCorrupt: 0, repairsRebuilt: 0 };

describe('reliability · damaged index: a cut or overwritten data.mdb is refused as Corrupt, never a signal, and repair rebuilds it', function () {
  this.timeout(300_000);
  const tmp = useTempDir('damaged-index-');
  after(() => reportArea('damaged index', figures));

  it('truncations at five points and an overwritten root page: every command exits with Corrupt and the command to run; repair rebuilds', () => {
    const home = nodePath.join(tmp(), 'home');
    const ids: string[] = [];
    for (let i = 0; i < THREADS; i++) {
      const t = newThread(300 + i, 'paginated');
      ids.push(t.threadId);
      const p = nodePath.join(home, rolloutRelPath(t.threadId));
      fs.mkdirSync(nodePath.dirname(p), { recursive: true });
      fs.writeFileSync(p, `${threadLines(t, 20).join('\n')}\n`);
    }
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args, '--codex-home', home, '--json'], {
        encoding: 'utf8',
      });
      figures.commandRuns++;
      if (r.signal !== null) figures.signalDeaths++;
      return r;
    };
    const built = cli('index');
    expect(built.status, built.stderr).to.equal(0);
    const data = nodePath.join(home, '.rollout-engine', 'index', 'data.mdb');
    const pristine = fs.readFileSync(data);
    const { pageSize, roots } = currentMetaOf(pristine);
    const mainRoot = Number(roots[1]);
    const size = pristine.length;
    expect(size % pageSize).to.equal(0);

    const damages: ReadonlyArray<{ readonly name: string; readonly apply: () => void }> = [
      ...[2 * pageSize, Math.floor(size / 4), Math.floor(size / 2), size - pageSize, size - 1].map((at) => ({
        name: `truncated at ${at} of ${size} bytes`,
        apply: () => fs.truncateSync(data, at),
      })),
      {
        name: `the main database's root page ${mainRoot} overwritten`,
        apply: () => {
          const fd = fs.openSync(data, 'r+');
          fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, mainRoot * pageSize);
          fs.closeSync(fd);
        },
      },
    ];
    for (const damage of damages) {
      fs.writeFileSync(data, pristine);
      damage.apply();
      figures.damages++;
      for (const args of [
        ['threads'],
        ['read', ids[0]!],
        ['turns', ids[1]!],
        ['search', 'the'],
        ['tokens'],
        ['verify'],
        ['index'],
      ]) {
        const r = cli(...args);
        const said = `${damage.name}, ${args[0]}: status ${r.status}, signal ${r.signal}, stderr ${r.stderr.slice(0, 300)}`;
        expect(r.signal, said).to.equal(null);
        expect(r.status, said).not.to.equal(0);
        const error = (stderrJson(r.stderr || r.stdout) as { error: { tag: string; message: string } }).error;
        expect(error.tag, said).to.equal('Corrupt');
        expect(error.message, said).to.include('rollout-engine index --rebuild').and.include('rollout-engine repair');
        figures.refusedCorrupt++;
      }
      const repaired = cli('repair');
      expect(repaired.signal, `${damage.name}, repair: ${repaired.stderr.slice(0, 300)}`).to.equal(null);
      expect(repaired.status, `${damage.name}, repair: ${repaired.stderr.slice(0, 300)}`).to.equal(0);
      expect(JSON.parse(repaired.stdout)).to.have.property('rebuilt', true);
      figures.repairsRebuilt++;
      const listed = cli('threads', '--limit', '100');
      expect(listed.status, listed.stderr).to.equal(0);
      expect((JSON.parse(listed.stdout) as { data: Array<{ id: string }> }).data.map((x) => x.id)).to.have.members(ids);
    }
    expect(figures.signalDeaths).to.equal(0);
  });
});

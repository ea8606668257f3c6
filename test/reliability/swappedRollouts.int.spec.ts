// Issue 68 (links): a rollout listed and probed, then swapped before it is read — for a link to a
// file outside the home, its day folder for a link to a folder outside, or for a FIFO — is
// refused when the reader opens it (adapters/driven/fs/heldRead.ts `openToRead`): skipped and reported as
// the listing's refusals are, never read, never waited on. The swap is made while the index run
// holds at `index.planned` (every file listed and probed, none read), so the verdict does not
// depend on timing.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { runEngineCli } from '../compat/engineCli.js';
import type { EngineCliRun } from '../compat/engineCli.js';
import { holdAt } from '../fixtures/heldProcess.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';

const GOOD = '01a1fe84-0000-7000-8000-0000000000f1';
const SWAPPED = '01a1fe84-0000-7000-8000-0000000000f2';
const SECRET = 'SECRET-OUTSIDE-THE-HOME-68r';

const figures = { trials: 0, heldAsScripted: 0, refusedAtRead: 0, leaks: 0, filesWithMarker: 0, timeouts: 0 };

/** Regular files below `dir` (links not followed) whose bytes hold `marker`. */
const filesHolding = (dir: string, marker: string): string[] => {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesHolding(p, marker));
    else if (e.isFile() && fs.readFileSync(p).includes(marker)) out.push(p);
  }
  return out;
};

/** `index` run held at `index.planned` while `swap` replaces what was probed; its answer. */
const indexWithSwap = async (
  home: string,
  holdFile: string,
  swap: () => void,
  timeoutMs = 60_000,
  command = 'index',
): Promise<EngineCliRun> => {
  figures.trials += 1;
  const step = holdAt('index.planned', 1, holdFile);
  let ended: string | undefined;
  const done = runEngineCli([command, '--codex-home', home, '--json'], timeoutMs, step.env).then((r) => {
    ended = `exit ${r.exitCode ?? r.signal}: ${r.stderr}`;
    return r;
  });
  await step.held(() => ended);
  figures.heldAsScripted += 1;
  swap();
  await step.release();
  const r = await done;
  if (r.timedOut) figures.timeouts += 1;
  if (`${r.stdout}${r.stderr}`.includes(SECRET)) figures.leaks += 1;
  return r;
};

describe('reliability · a rollout swapped between its listing and its read', function () {
  this.timeout(180_000);
  const tmp = useTempDir('rel-swapped-');
  after(() => reportArea('swapped rollouts', figures));

  /** A home with two rollouts, and outside it the same thread's rollout holding the marker. */
  const homeAndOutside = (name: string): { home: string; target: string; outside: string } => {
    const home = nodePath.join(tmp(), name, 'home');
    writeRollout(home, rolloutName(GOOD), chatThread('legacy', GOOD, 2).text());
    const target = writeRollout(home, rolloutName(SWAPPED), chatThread('legacy', SWAPPED, 2).text());
    const outside = nodePath.join(tmp(), name, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(nodePath.join(outside, rolloutName(SWAPPED)), chatThread('legacy', SWAPPED, 3, SECRET).text());
    return { home, target, outside };
  };

  /** The run answered, reported the swapped file refused, kept the good one, and put the marker nowhere. */
  const expectRefused = (r: EngineCliRun, home: string): void => {
    expect(r.timedOut, 'the index run waited on what was swapped in').to.equal(false);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(`${r.stdout}${r.stderr}`).not.to.include(SECRET);
    const holding = filesHolding(home, SECRET);
    figures.filesWithMarker += holding.length;
    expect(holding, 'files in the home (the index) holding the marker').to.deep.equal([]);
    const answer = JSON.parse(r.stdout) as { unreadable: Array<{ path: string; reason: string }> };
    const refused = answer.unreadable.filter((u) => nodePath.basename(u.path) === rolloutName(SWAPPED));
    expect(refused, JSON.stringify(answer.unreadable)).to.have.length(1);
    figures.refusedAtRead += 1;
  };

  it('the rollout swapped for a link to a file outside the home: refused at the read, reported, the marker nowhere', async () => {
    const { home, target, outside } = homeAndOutside('file-link');
    const r = await indexWithSwap(home, nodePath.join(tmp(), 'file-link', 'hold'), () => {
      fs.rmSync(target);
      fs.symlinkSync(nodePath.join(outside, rolloutName(SWAPPED)), target);
    });
    expectRefused(r, home);
    const read = await runEngineCli(['read', GOOD, '--codex-home', home, '--json']);
    expect(read.exitCode, read.stderr).to.equal(0);
  });

  it('its day folder swapped for a link to a folder outside the home: refused at the read, reported, the marker nowhere', async () => {
    const { home, outside } = homeAndOutside('folder-link');
    const day = dayDir(home);
    // The good rollout goes with the real folder's copy: the day folder's link leads to both names.
    fs.copyFileSync(nodePath.join(day, rolloutName(GOOD)), nodePath.join(outside, rolloutName(GOOD)));
    const r = await indexWithSwap(home, nodePath.join(tmp(), 'folder-link', 'hold'), () => {
      fs.renameSync(day, nodePath.join(tmp(), 'folder-link', 'day-moved-aside'));
      fs.symlinkSync(outside, day);
    });
    expectRefused(r, home);
  });

  it('the rollout swapped for a FIFO: refused at the read, never waited on', async () => {
    const { home, target } = homeAndOutside('fifo');
    const r = await indexWithSwap(
      home,
      nodePath.join(tmp(), 'fifo', 'hold'),
      () => {
        fs.rmSync(target);
        execFileSync('mkfifo', [target]);
      },
      30_000,
    );
    expectRefused(r, home);
  });

  it('the token report (its lean token pass) with the rollout swapped for a FIFO: answers, never waits on it', async () => {
    const { home, target } = homeAndOutside('tokens-fifo');
    const r = await indexWithSwap(
      home,
      nodePath.join(tmp(), 'tokens-fifo', 'hold'),
      () => {
        fs.rmSync(target);
        execFileSync('mkfifo', [target]);
      },
      30_000,
      'tokens',
    );
    expect(r.timedOut, 'the token report waited on the FIFO swapped in').to.equal(false);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(`${r.stdout}${r.stderr}`).not.to.include(SECRET);
  });
});

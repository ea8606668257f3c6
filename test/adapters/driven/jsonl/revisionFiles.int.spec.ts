import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { discoverRevisionFiles } from '../../../../adapters/driven/jsonl/home/revisionFiles.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

const T1 = '01a1fe84-e393-7df3-89c1-fe2af51ed21c';
const R1 = '01a1fe84-e7b0-7381-9b82-8448801fa88d';
const R2 = '01a1fe84-e7b0-7381-9b82-8448801fa8ff';

describe('jsonl revision files of a thread', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('jsonl-revisions-');

  const touch = async (rel: string) => {
    const p = nodePath.join(homeOf(), rel);
    await fs.mkdir(nodePath.dirname(p), { recursive: true });
    await fs.writeFile(p, '');
  };

  /** Today's UTC date as a rollout file names it (YYYY-MM-DD), and its folder: one a writer may still add to. */
  const today = (): { readonly date: string; readonly folder: string } => {
    const date = new Date().toISOString().slice(0, 10);
    return { date, folder: date.replaceAll('-', '/') };
  };
  /** Folders last changed over a second ago (ctime cannot be set back: wait): their listings are kept. */
  const age = async (dirs: ReadonlyArray<string>) => {
    const past = new Date(Date.now() - 3_600_000);
    for (const d of dirs) await fs.utimes(d, past, past);
    await new Promise((r) => setTimeout(r, 1_100));
  };

  /**
   * A home of its own (`name`, below the shared one) whose thread T1 has its file in today's folder
   * (one a writer may add to); its folders (today's up to sessions/), aged; and the look for T1's revisions.
   */
  const todaysHome = async (name: string) => {
    const home = nodePath.join(homeOf(), name);
    const { date, folder } = today();
    const day = `${name}/sessions/${folder}`;
    await touch(`${day}/rollout-${date}T00-00-01-${T1}.jsonl`);
    const dayDir = nodePath.join(homeOf(), day);
    const folders = [
      dayDir,
      nodePath.dirname(dayDir),
      nodePath.dirname(nodePath.dirname(dayDir)),
      nodePath.join(home, 'sessions'),
    ];
    await age(folders);
    const revisions = async () => {
      const r = await discoverRevisionFiles(home, T1, date)();
      return E.isRight(r) ? r.right.map((f) => nodePath.basename(f.path)) : r.left;
    };
    return { date, day, dayDir, folders, revisions };
  };

  it('finds a revision written after its folder was listed (a kept listing is dropped when the folder changes)', async () => {
    const { date, day, dayDir, folders, revisions } = await todaysHome('kept-listings');
    expect(await revisions()).to.deep.equal([]);
    expect(await revisions()).to.deep.equal([]);
    await touch(`${day}/rollout-${date}T00-00-02-${T1}_${R1}.jsonl`);
    expect(await revisions()).to.deep.equal([`rollout-${date}T00-00-02-${T1}_${R1}.jsonl`]);
    // A file removed and the folder's mtime set back as it was: its ctime still tells.
    await age(folders);
    expect(await revisions()).to.have.length(1);
    await fs.rm(nodePath.join(dayDir, `rollout-${date}T00-00-02-${T1}_${R1}.jsonl`));
    await fs.utimes(dayDir, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    expect(await revisions()).to.deep.equal([]);
  });

  it('finds a revision in a day folder made after the listing of its month', async () => {
    const home = nodePath.join(homeOf(), 'new-day');
    const { date, folder } = today();
    const [y, m] = date.split('-');
    // The first day of this month (a writer may still add a day folder to the month).
    await touch(`new-day/sessions/${y}/${m}/01/rollout-${y}-${m}-01T00-00-01-${T1}.jsonl`);
    const revisions = async () => {
      const r = await discoverRevisionFiles(home, T1, `${y}-${m}-01`)();
      return E.isRight(r) ? r.right.map((f) => nodePath.basename(f.path)) : r.left;
    };
    expect(await revisions()).to.deep.equal([]);
    const name = `rollout-${date}T00-00-02-${T1}_${R1}.jsonl`;
    await touch(`new-day/sessions/${folder}/${name}`);
    expect(await revisions()).to.deep.equal([name]);
  });

  /** Counts of `fs.statSync` and `fs/promises.readdir` calls while `work` runs. */
  const counted = async <A>(work: () => Promise<A>): Promise<{ value: A; stats: number; readdirs: number }> => {
    const req = createRequire(import.meta.url);
    const fsCjs = req('node:fs') as { statSync: typeof import('node:fs').statSync };
    const promises = req('node:fs/promises') as { readdir: typeof import('node:fs/promises').readdir };
    const { statSync } = fsCjs;
    const { readdir } = promises;
    const n = { stats: 0, readdirs: 0 };
    fsCjs.statSync = ((...args: Parameters<typeof statSync>) => {
      n.stats += 1;
      return statSync(...args);
    }) as typeof statSync;
    promises.readdir = ((...args: Parameters<typeof readdir>) => {
      n.readdirs += 1;
      return readdir(...args);
    }) as typeof readdir;
    syncBuiltinESMExports();
    try {
      return { value: await work(), ...n };
    } finally {
      fsCjs.statSync = statSync;
      promises.readdir = readdir;
      syncBuiltinESMExports();
    }
  };

  it("keeps a thread's look while the folders it stat-ed stand; one made too soon after a folder changed is made again", async () => {
    const { date, day, folders, revisions } = await todaysHome('kept-looks');
    expect(await revisions()).to.deep.equal([]);
    // Kept: one stat a folder it stat-ed (sessions/, the year, the month, today), no listing.
    const again = await counted(revisions);
    expect(again.value).to.deep.equal([]);
    expect(again.readdirs).to.equal(0);
    expect(again.stats).to.equal(folders.length);
    // The folder changes now: its listing is too recent to trust, and so is the look made from it.
    const first = `rollout-${date}T00-00-02-${T1}_${R1}.jsonl`;
    await touch(`${day}/${first}`);
    expect(await revisions()).to.deep.equal([first]);
    const soon = await counted(revisions);
    expect(soon.value).to.deep.equal([first]);
    expect(soon.readdirs).to.be.greaterThan(0);
    // Once the folder is past the racy interval, its look is kept again.
    await age(folders);
    expect(await revisions()).to.deep.equal([first]);
    expect((await counted(revisions)).readdirs).to.equal(0);
  });

  it('lists a settled day folder once: a read of an old thread looks at the folders a writer may still add to', async () => {
    // A thread of 2025-01-01 with a day folder a day for three months after it, all past their
    // last writer's date (discover.ts `SETTLED_AFTER_MS`), and today's folder.
    const home = nodePath.join(homeOf(), 'settled');
    const days: string[] = [];
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2025, 3, 1); ms += 86_400_000)
      days.push(new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/'));
    await touch(`settled/sessions/2025/01/01/rollout-2025-01-01T10-00-00-${T1}.jsonl`);
    const old = `settled/sessions/2025/02/10/rollout-2025-02-10T10-00-00-${T1}_${R1}.jsonl`;
    await touch(old);
    for (const d of days) await fs.mkdir(nodePath.join(home, 'sessions', d), { recursive: true });
    const { date, folder } = today();
    await fs.mkdir(nodePath.join(home, 'sessions', folder), { recursive: true });
    const sessions = nodePath.join(home, 'sessions');
    await age([
      ...days.map((d) => nodePath.join(sessions, d)),
      ...days.map((d) => nodePath.join(sessions, d.slice(0, 7))),
      nodePath.join(sessions, '2025'),
      nodePath.join(sessions, folder),
      nodePath.join(sessions, folder.slice(0, 7)),
      nodePath.join(sessions, folder.slice(0, 4)),
      sessions,
    ]);
    const revisions = async () => {
      const r = await discoverRevisionFiles(home, T1, '2025-01-01')();
      return E.isRight(r) ? r.right.map((f) => nodePath.basename(f.path)) : r.left;
    };
    expect(await revisions()).to.deep.equal([nodePath.basename(old)]);
    // Counted on the next look: the stats of the folders a writer may still add to, not of the 90 settled ones.
    const next = await counted(revisions);
    expect(next.value).to.deep.equal([nodePath.basename(old)]);
    // sessions/, its year folders, this year's months folder and today's (2025's are settled).
    expect(next.stats).to.be.at.most(6);
    // A revert today writes into today's folder: found at once.
    const now = `rollout-${date}T00-00-03-${T1}_${R2}.jsonl`;
    await touch(`settled/sessions/${folder}/${now}`);
    expect(await revisions()).to.deep.equal([nodePath.basename(old), now]);
    // A settled listing that names a file removed since is made again.
    await fs.rm(nodePath.join(homeOf(), old));
    expect(await revisions()).to.deep.equal([now]);
  });
});

// A day folder (`sessions/YYYY/MM/DD`) swapped for a link while `thread/fork` writes into it: the
// home's owner renames the folder away and puts a link to a folder outside the home at its name,
// at the two moments that matter, scripted through the writer's seams — right after the folder was
// checked to be inside the home (`writeChecked`: before, the write followed the link and created
// the fork's rollout outside), and after the writer opened it by handle (`folderHeld`). Both
// history modes (a paginated fork is created in place, a legacy one built aside and linked in).
// Nothing may be created outside the home; the fork fails with a typed error naming the folder,
// and leaves no file behind in the folder that was moved away.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { renderError } from '../../domain/errors.js';
import { forkThread } from '../../replay/mutations/forkThread.js';
import { jsonlRolloutFiles } from '../../adapters/driven/jsonl/writers/rolloutFiles.js';
import type { WriterHooks } from '../../adapters/driven/jsonl/writers/lockedRolloutFile.js';
import { useTempDir } from '../fixtures/tempDir.js';
import type { MutationHome } from '../replay/mutationHome.js';
import { chatThread, openMutationHome, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';

const PAGINATED = 'cccccccc-0000-7000-8000-0000000000a1';
const LEGACY = 'cccccccc-0000-7000-8000-0000000000a2';
const TRIALS = 5;
/** The forks' day: a folder of its own, beside the sources'. */
const FORK_DAY = new Date('2026-11-22T09:00:00.000Z');

describe('reliability · a day folder swapped for a link while fork writes', function () {
  this.timeout(120_000);
  const tmp = useTempDir('rel-fork-swap-');
  const figures = {
    trials: 0,
    swaps: 0,
    forksRefused: 0,
    forksInsideHome: 0,
    filesCreatedOutside: 0,
    filesLeftInMovedFolder: 0,
  };
  let home: string;
  let outside: string;
  let dayFolder: string;
  let m: MutationHome;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    outside = nodePath.join(tmp(), 'outside');
    fs.mkdirSync(outside, { recursive: true });
    writeRollout(home, rolloutName(PAGINATED), chatThread('paginated', PAGINATED, 3).text());
    writeRollout(home, rolloutName(LEGACY), chatThread('legacy', LEGACY, 3).text());
    dayFolder = nodePath.join(home, 'sessions', '2026', '11', '22');
    fs.mkdirSync(dayFolder, { recursive: true });
    m = await openMutationHome(home);
  });
  after(async () => {
    await m.close();
    reportArea('fork day-folder swaps', figures);
  });

  const moved = (): string => `${dayFolder}.moved`;
  /** The owner's move: the day folder renamed away (it stays in the home), a link to `outside` at its name. */
  const swap = async (path: string): Promise<void> => {
    if (nodePath.dirname(path) !== dayFolder) return;
    fs.renameSync(dayFolder, moved());
    fs.symlinkSync(outside, dayFolder);
    figures.swaps++;
  };
  const restore = (): void => {
    if (fs.lstatSync(dayFolder).isSymbolicLink()) {
      fs.unlinkSync(dayFolder);
      fs.renameSync(moved(), dayFolder);
    }
  };

  for (const point of ['writeChecked', 'folderHeld'] as const) {
    for (const [mode, source] of [
      ['paginated', PAGINATED],
      ['legacy', LEGACY],
    ] as const) {
      it(`${mode} fork, the folder swapped at ${point}: nothing created outside the home, the fork refused (${TRIALS} trials)`, async () => {
        // Every trial runs (the outcome of each is kept), then the counts are held to what must be.
        const seen = {
          createdOutside: [] as string[],
          leftInMoved: [] as string[],
          acknowledgedThroughSwap: 0,
          untypedRefusals: [] as string[],
        };
        for (let trial = 0; trial < TRIALS; trial++) {
          figures.trials++;
          const hooks: WriterHooks = { [point]: swap };
          const ports = { ...m.ports, clock: { now: () => FORK_DAY }, files: jsonlRolloutFiles(home, { hooks }) };
          const r = await forkThread(ports, { threadId: source, excludeTurns: true })();
          const createdOutside = fs.readdirSync(outside);
          const swapped = fs.lstatSync(dayFolder).isSymbolicLink();
          const leftInMoved = swapped ? fs.readdirSync(moved()) : [];
          restore();
          for (const name of createdOutside) fs.rmSync(nodePath.join(outside, name), { recursive: true, force: true });
          for (const name of leftInMoved) fs.rmSync(nodePath.join(dayFolder, name), { force: true });
          seen.createdOutside.push(...createdOutside);
          seen.leftInMoved.push(...leftInMoved);
          if (E.isRight(r)) {
            if (swapped) seen.acknowledgedThroughSwap++;
            // A seam this code does not reach swaps nothing: the fork is the home's, and is taken away for the next trial.
            const written = r.right.written.path;
            if (fs.existsSync(written)) {
              expect(fs.realpathSync(written).startsWith(fs.realpathSync(home) + nodePath.sep)).to.equal(true);
              fs.unlinkSync(written);
            }
            figures.forksInsideHome++;
            continue;
          }
          const message = renderError(r.left);
          if (!['InvalidArgument', 'Io'].includes(r.left._tag) || !message.includes(dayFolder))
            seen.untypedRefusals.push(message);
          figures.forksRefused++;
        }
        figures.filesCreatedOutside += seen.createdOutside.length;
        figures.filesLeftInMovedFolder += seen.leftInMoved.length;
        expect(seen).to.deep.equal({
          createdOutside: [],
          leftInMoved: [],
          acknowledgedThroughSwap: 0,
          untypedRefusals: [],
        });
      });
    }
  }
});

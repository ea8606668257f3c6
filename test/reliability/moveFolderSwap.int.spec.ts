// A folder swapped for a link while `thread/archive` or `thread/unarchive` moves a rollout: the
// home's owner moves the target folder (`archived_sessions/`, or the day folder an unarchive goes
// back to) out of the home and puts a link to it at its name, scripted at the moment both ends of
// the move are held by handle (the `folderHeld` seam of `threadHomeFiles`). The move must be taken
// back and refused with a typed error naming the folder: the rollout stays where it was, its
// bytes unchanged, and nothing is left outside the home. Without a swap, both moves happen.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { renderError } from '../../domain/errors.js';
import { threadHomeFiles } from '../../adapters/driven/jsonl/writers/threadHomeFiles.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';

const THREAD = 'cccccccc-0000-7000-8000-0000000000b1';
const NAME = `rollout-2026-11-22T09-00-00-${THREAD}.jsonl`;
const TEXT = '{"timestamp":"2026-11-22T09:00:00.000Z","type":"session_meta","payload":{}}\n';

describe('reliability · a folder swapped for a link while archive or unarchive moves a rollout', function () {
  const tmp = useTempDir('rel-move-swap-');
  const figures = { swaps: 0, movesRefused: 0, rolloutsKeptInPlace: 0, filesLeftOutside: 0, unswappedMoves: 0 };
  let home: string;
  let day: string;
  let archived: string;
  let outside: string;

  beforeEach(() => {
    home = nodePath.join(tmp(), `home-${figures.swaps + figures.unswappedMoves}`);
    day = nodePath.join(home, 'sessions', '2026', '11', '22');
    archived = nodePath.join(home, 'archived_sessions');
    outside = nodePath.join(tmp(), `outside-${figures.swaps + figures.unswappedMoves}`);
    fs.mkdirSync(day, { recursive: true });
    fs.mkdirSync(archived, { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
  });
  after(() => reportArea('archive and unarchive folder swaps', figures));

  /** The owner's move of `folder` out of the home, a link to it left at its name, once the move holds it. */
  const swapAt = (folder: string) => async (path: string) => {
    if (nodePath.dirname(path) !== folder) return;
    fs.renameSync(folder, nodePath.join(outside, 'moved'));
    fs.symlinkSync(nodePath.join(outside, 'moved'), folder);
    figures.swaps++;
  };
  const filesOutside = (): string[] =>
    fs.existsSync(nodePath.join(outside, 'moved')) ? fs.readdirSync(nodePath.join(outside, 'moved')) : [];

  const cases = [
    { move: 'archive', from: () => nodePath.join(day, NAME), target: () => archived },
    { move: 'unarchive', from: () => nodePath.join(archived, NAME), target: () => day },
  ] as const;

  for (const c of cases) {
    it(`${c.move}: the target folder moved out at folderHeld: the move taken back and refused, nothing left outside`, async () => {
      fs.writeFileSync(c.from(), TEXT);
      const swapsBefore = figures.swaps;
      const result = await threadHomeFiles(home, swapAt(c.target()))[c.move]([c.from()])();
      expect(figures.swaps - swapsBefore, 'the seam was reached once').to.equal(1);
      expect(E.isLeft(result), 'the move through a swapped folder is refused').to.equal(true);
      if (E.isRight(result)) return;
      figures.movesRefused++;
      expect(renderError(result.left)).to.include(c.target());
      expect(filesOutside(), 'files left outside the home').to.deep.equal([]);
      expect(fs.readFileSync(c.from(), 'utf8'), 'the rollout where it was, its bytes').to.equal(TEXT);
      figures.rolloutsKeptInPlace++;
      figures.filesLeftOutside += filesOutside().length;
    });
  }

  it('without a swap: archive then unarchive move the rollout, and back', async () => {
    const active = nodePath.join(day, NAME);
    fs.writeFileSync(active, TEXT);
    const files = threadHomeFiles(home, async () => undefined);
    const a = await files.archive([active])();
    expect(a).to.deep.equal(E.right([nodePath.join(archived, NAME)]));
    const u = await files.unarchive([nodePath.join(archived, NAME)])();
    expect(u).to.deep.equal(E.right([active]));
    expect(fs.readFileSync(active, 'utf8')).to.equal(TEXT);
    figures.unswappedMoves += 2;
  });
});

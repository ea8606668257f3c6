// A home's recorded stats with some folders recorded again (domain/index/homeStats.ts
// `withFoldersRecorded`): what a catch-up of the few files a check found changed writes, in place
// of every checkpoint read again.
import { expect } from 'chai';
import { homeStatsOf, recordedFilesOf, withFoldersRecorded } from '../../../domain/index/homeStats.js';
import type { FileCheckpoint } from '../../../domain/index/rows.js';
import type { HomeStats, ListedFolder } from '../../../domain/index/homeStats.js';
import { checkpointAfter } from '../../fixtures/lineInputs.js';

const cpOf = (path: string, size: number): FileCheckpoint => ({
  ...checkpointAfter(path, `r-${path}`, `t-${path}`, undefined),
  size,
  mtimeMs: size * 10,
  ctimeMs: size * 10 + 1,
});

/** Each folder of `stats`: its times and its files' names with their sizes (or what settles them where a stat cannot). */
const shapeOf = (stats: HomeStats) =>
  stats.folders.map((f) => {
    const { names, statOf } = recordedFilesOf(f);
    return [
      f.path,
      f.mtimeMs,
      f.ctimeMs,
      names.map((n, i) => {
        const stat = statOf(i);
        return `${n}:${typeof stat === 'object' ? stat.size : stat}`;
      }),
    ];
  });

describe('domain · home stats recorded again for some folders', () => {
  const day1: ListedFolder = {
    path: '/h/sessions/d1',
    mtimeMs: 1,
    ctimeMs: 2,
    files: ['/h/sessions/d1/a', '/h/sessions/d1/b'],
  };
  const day2: ListedFolder = { path: '/h/sessions/d2', mtimeMs: 3, ctimeMs: 4, files: ['/h/sessions/d2/c'] };
  const was = new Map([
    ['/h/sessions/d1/a', cpOf('/h/sessions/d1/a', 5)],
    ['/h/sessions/d1/b', cpOf('/h/sessions/d1/b', 6)],
    ['/h/sessions/d2/c', cpOf('/h/sessions/d2/c', 7)],
  ]);
  const stats = homeStatsOf([day1, day2], ['/h/archived_sessions'], (p) => was.get(p));

  it('replaces a folder recorded before in place, adds a new one after, and keeps the others and the absent roots as they were', () => {
    const now = new Map([
      ...was,
      ['/h/sessions/d1/b', cpOf('/h/sessions/d1/b', 60)],
      ['/h/sessions/d1/n', { ...cpOf('/h/sessions/d1/n', 8), upcastFrom: 'envelopeLess' as const }],
      ['/h/sessions/d3/e', cpOf('/h/sessions/d3/e', 9)],
      ['/h/sessions/d3/f', { ...cpOf('/h/sessions/d3/f', 10), duplicateOf: '/h/sessions/d1/a' }],
      [
        '/h/sessions/d3/h',
        {
          ...cpOf('/h/sessions/d3/h', 13),
          rolloutId: 'r-/h/sessions/d1/a',
          threadId: 't-/h/sessions/d1/a',
          duplicateOf: '/h/sessions/d1/a',
        },
      ],
    ]);
    const again = withFoldersRecorded(
      stats,
      {
        folders: [
          { ...day1, mtimeMs: 11, files: [...day1.files, '/h/sessions/d1/n'] },
          {
            path: '/h/sessions/d3',
            mtimeMs: null,
            ctimeMs: 12,
            files: ['/h/sessions/d3/e', '/h/sessions/d3/f', '/h/sessions/d3/g', '/h/sessions/d3/h'],
          },
        ],
        goneFolders: [],
        absent: ['/h/archived_sessions'],
      },
      (p) => now.get(p),
    );
    expect(shapeOf(again)).to.deep.equal([
      // An upcast file's checkpoint is not one a stat settles; a probe does.
      ['/h/sessions/d1', 11, 2, ['a:5', 'b:60', 'n:probe']],
      ['/h/sessions/d2', 3, 4, ['c:7']],
      // A duplicate whose winner names another thread is the whole home's to elect; one of its
      // winner's thread is settled by a stat, as a file holding rows; a file with no checkpoint is probed.
      ['/h/sessions/d3', null, 12, ['e:9', 'f:wholeHome', 'g:probe', 'h:13']],
    ]);
    expect(again.absent).to.deep.equal(['/h/archived_sessions']);
    // The folder not recorded again is the same value, not read again.
    expect(again.folders[1]).to.equal(stats.folders[1]);
  });

  it('drops a folder gone and takes the absent roots as they are now (a root that came is recorded as a folder)', () => {
    const archived: ListedFolder = {
      path: '/h/archived_sessions',
      mtimeMs: 13,
      ctimeMs: 14,
      files: ['/h/archived_sessions/c'],
    };
    const now = new Map([...was, ['/h/archived_sessions/c', cpOf('/h/archived_sessions/c', 7)]]);
    const again = withFoldersRecorded(
      stats,
      { folders: [archived], goneFolders: ['/h/sessions/d2'], absent: [] },
      (p) => now.get(p),
    );
    expect(shapeOf(again)).to.deep.equal([
      ['/h/sessions/d1', 1, 2, ['a:5', 'b:6']],
      ['/h/archived_sessions', 13, 14, ['c:7']],
    ]);
    expect(again.absent).to.deep.equal([]);
    expect(again.folders[0]).to.equal(stats.folders[0]);
  });
});

import { expect } from 'chai';
import type { FileCheckpoint, ThreadRow } from '../../domain/index/rows.js';
import { Batch, memoryIndex } from '../../projections/batch.js';
import { writeCheckpoint } from '../../projections/fileCheckpoints.js';
import { writeThreadRow } from '../../projections/threadRows.js';

const PATH = '/home/sessions/2026/12/01/rollout-a.jsonl';

/** A checkpoint naming `threadId` (only the fields the link reads matter here). */
const checkpoint = (threadId: string | null): FileCheckpoint => ({ path: PATH, threadId }) as unknown as FileCheckpoint;

/** A thread row below `forkedFrom` or `parent` (what its link reads, and the sort keys its order keys need). */
const threadRow = (id: string, forkedFrom: string | null, parent: string | null): ThreadRow =>
  ({
    id,
    archived: false,
    forkedFromId: forkedFrom,
    parentThreadId: parent,
    sortMs: { created: 1, updated: 2, recency: 3, named: 4, scanned: 5 },
  }) as unknown as ThreadRow;

/** Each write applied at once, as a commit would, and the links the index then holds. */
const applied = () => {
  const idx = memoryIndex();
  const write = (build: (b: Batch) => void): void => {
    const b = new Batch(idx);
    build(b);
    idx.apply(b.writes());
  };
  const links = (table: 'threadFiles' | 'threadChildren') => idx.keys(table, []);
  return { write, links };
};

describe('thread links: a checkpoint links its file to its thread, a thread row links it below its parent', () => {
  it('writeCheckpoint: the file linked to the thread its checkpoint names, moved when it names another, gone with it', () => {
    const { write, links } = applied();
    write((b) => writeCheckpoint(b, 'files', PATH, checkpoint('A')));
    expect(links('threadFiles')).to.deep.equal([['A', PATH]]);
    write((b) => writeCheckpoint(b, 'files', PATH, checkpoint('B')));
    expect(links('threadFiles')).to.deep.equal([['B', PATH]]);
    // A file whose first line names no thread (an error): no link.
    write((b) => writeCheckpoint(b, 'files', PATH, checkpoint(null)));
    expect(links('threadFiles')).to.deep.equal([]);
    write((b) => writeCheckpoint(b, 'files', PATH, checkpoint('A')));
    write((b) => writeCheckpoint(b, 'files', PATH, undefined));
    expect(links('threadFiles')).to.deep.equal([]);
    // The token projection's own checkpoints are not linked.
    write((b) => writeCheckpoint(b, 'tokenFiles', PATH, checkpoint('A')));
    expect(links('threadFiles')).to.deep.equal([]);
  });

  it('writeThreadRow: a fork below the thread it was forked from, a sub-agent below its parent, moved and gone with its row', () => {
    const { write, links } = applied();
    write((b) => writeThreadRow(b, 'T', threadRow('T', null, null)));
    expect(links('threadChildren')).to.deep.equal([]);
    write((b) => writeThreadRow(b, 'T', threadRow('T', 'F', 'P')));
    expect(links('threadChildren')).to.deep.equal([['F', 'T']]);
    write((b) => writeThreadRow(b, 'T', threadRow('T', null, 'P')));
    expect(links('threadChildren')).to.deep.equal([['P', 'T']]);
    write((b) => writeThreadRow(b, 'T', undefined));
    expect(links('threadChildren')).to.deep.equal([]);
  });
});

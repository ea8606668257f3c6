import { expect } from 'chai';
import * as nodePath from 'node:path';
import * as v8 from 'node:v8';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { garbageBound } from '../../adapters/driven/system/garbageBound.js';
import type { FileCheckpoint, IndexWrite } from '../../domain/index/rows.js';
import type { IndexStore } from '../../domain/ports.js';
import type { IndexedFile } from '../../projections/threadRows.js';
import { indexedFilesOf, readThreadRowHome } from '../../indexer/catchUp/threadRowRefresh.js';
import type { RolloutRow } from '../../domain/index/rolloutRows.js';
import { currentSignatures, filesHolding } from '../../replay/internal/signatureSweep.js';
import { termBits } from '../../domain/search/gramSignature.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { right } from '../fixtures/right.js';

/**
 * What a process keeps of index rows for as long as it runs holds none of their text: msgpackr
 * (the store's decoder) cuts a row's short strings out of one string of the row, which V8 then
 * keeps whole while any cut lives. Each measured as the heap kept once the rows read are dropped,
 * from real rows:
 * - a thread-row refresh's files (indexer/catchUp/threadRowRefresh.ts `indexedFileOf`: half
 *   the live heap of a cold index of 100,000 files);
 * - the rows Codex's backfill would write for a home without a state DB (`readThreadRowHome`),
 *   kept by catchUpThreadRows.ts `appliedCodexRows` (32 of 100 MB live in `serve` after building
 *   100,000 files);
 * - the search signatures and the threads of the files searches found (replay/internal/signatureSweep.ts),
 *   kept while the index stands (112 of 352 MB live in `serve` after one search of 100,000 files).
 */
const FILES = 20_000;

const hex = (i: number, len: number): string => i.toString(16).padStart(len, '0');
const uuid = (i: number): string => `0197332e-${hex(i, 4)}-7b51-bb90-${hex(i, 12)}`;

/** A rollout row of a thread whose id is not the file's (a revision), its meta as large as a real one. */
const rolloutRowOf = (i: number): RolloutRow => ({
  rolloutId: uuid(i),
  threadId: uuid(FILES + i),
  path: `/home/sessions/2026/11/30/rollout-2026-11-30T12-00-00-${uuid(FILES + i)}_${uuid(i)}.jsonl`,
  mode: 'paginated',
  meta: { id: uuid(FILES + i), cwd: `/work/project-${i}`, originator: 'codex_cli_rs', notes: 'n'.repeat(600) },
  base: null,
  preview: `preview ${i} ${'p'.repeat(300)}`,
  previewByteOffset: 0,
  model: 'gpt-5',
  reasoningEffort: null,
  settings: [],
  firstLineTimestamp: '2026-11-30T12:00:00.000Z',
  lastLineTimestamp: '2026-11-30T12:10:00.000Z',
  lines: 10,
  invalidLines: 0,
  maxOrdinal: 9,
  repeatedOrdinals: 0,
  lastTurnId: null,
  lastTurnStartTimestamp: null,
});

/** A search signature's size. */
const SIGNATURE_BYTES = 2048;

const checkpointOf = (home: string, i: number): FileCheckpoint => ({
  path: nodePath.join(home, 'sessions/2026/11/30', `rollout-2026-11-30T12-00-00-${uuid(i)}.jsonl`),
  archived: false,
  fileTimestamp: '2026-11-30T12:00:00Z',
  rolloutId: uuid(i),
  threadId: uuid(i),
  revisionId: null,
  byteOffset: 1000 + i,
  line: 10,
  size: 1000 + i,
  headHash: hex(i, 64),
  headLen: 4096,
  tailHash: hex(i + 1, 64),
  tailLen: 4096,
  mtimeMs: 1_764_504_000_000 + i,
  ctimeMs: 1_764_504_000_000 + i,
  upcastFrom: null,
  duplicateOf: null,
  error: null,
});

/** The refresh's files of every `files` row, the rows read dropped once they are made. */
const heldOf = async (store: IndexStore): Promise<IndexedFile[]> => {
  const read: FileCheckpoint[] = [];
  right(await store.scan('files', [], ({ value }) => read.push(value))());
  if (read.length !== FILES) throw new Error(`${read.length} rows read, ${FILES} written`);
  return indexedFilesOf(read);
};

const usedAfterCollection = (): number => {
  garbageBound(1).read(1);
  return v8.getHeapStatistics().used_heap_size;
};

/** The backfilled row times of every `files` row, as a home without a state DB gives them. */
const backfilledOf = async (home: string, store: IndexStore): Promise<ReadonlyMap<string, unknown>> =>
  right(await readThreadRowHome(home, store)).codexRows;

describe('what a process keeps of index rows holds none of their text', function () {
  this.timeout(120_000);
  const tmp = useTempDir('indexed-files-');

  const withFilesRows = async (home: string, use: (store: IndexStore) => Promise<void>): Promise<void> => {
    const store = right(await openLmdbIndex(nodePath.join(home, 'index'))());
    try {
      const writes: IndexWrite[] = [];
      for (let i = 0; i < FILES; i++) {
        writes.push({ op: 'put', table: 'files', key: [checkpointOf(home, i).path], value: checkpointOf(home, i) });
        writes.push({ op: 'put', table: 'rollouts', key: [uuid(i)], value: rolloutRowOf(i) });
        writes.push({
          op: 'put',
          table: 'searchGrams',
          key: [uuid(i)],
          value: new Uint8Array(SIGNATURE_BYTES).fill(0xff),
        });
      }
      right(await store.commit(() => writes)());
      // A first scan makes what any read of the table makes once (the decoder's structures, code).
      right(await store.scan('files', [], () => undefined)());
      await use(store);
    } finally {
      right(await store.close()());
    }
  };

  it(`${FILES} files read from the index keep about their own strings, not each row's text`, async () => {
    await withFilesRows(tmp(), async (store) => {
      // What the rows read and the refresh's files add to the heap, once the rows read are dropped
      // (read in a function of its own: an async function's registers may keep what it dropped).
      const before = usedAfterCollection();
      const held = await heldOf(store);
      const perFile = (usedAfterCollection() - before) / FILES;
      expect(held.map((f) => f.rolloutId)).to.include(uuid(7));
      expect(held[0]!.rolloutId).to.equal(held[0]!.threadId);
      // Its own strings (the path, one id, the time) and object: 329 bytes a file; holding cuts of
      // each row's text instead, 600-610 (Node 20, both measured by this spec).
      expect(perFile).to.be.below(450);
    });
  });

  it(`the backfilled rows of ${FILES} files (a home without a state DB) keep their own thread ids`, async () => {
    const home = tmp();
    await withFilesRows(home, async (store) => {
      const before = usedAfterCollection();
      const rows = await backfilledOf(home, store);
      const perFile = (usedAfterCollection() - before) / FILES;
      expect(rows.size).to.equal(FILES);
      expect(rows.has(uuid(7))).to.equal(true);
      // An id, its two times and the map's slot: 164-168 bytes a file; keyed by cuts of each row's
      // text, 523-531 (Node 20, both measured by this spec).
      expect(perFile).to.be.below(300);
    });
  });

  it(`the search signatures of ${FILES} files, every one found, keep their thread ids, not each rollout row's text`, async () => {
    await withFilesRows(tmp(), async (store) => {
      const before = usedAfterCollection();
      const kept = await currentSignatures(store);
      // Every signature holds every bit: each file is found, and its thread read and kept.
      const found = await filesHolding(store, kept, termBits('parser'));
      // The heap only: a signature's bytes are an ArrayBuffer's, outside it.
      const perFile = (usedAfterCollection() - before) / FILES;
      expect(found.files.size).to.equal(FILES);
      expect(found.threads.has(uuid(FILES + 7))).to.equal(true);
      // The signature's objects, its thread kept and the two sets found: 426-435 bytes a file; with
      // cuts of each rollout row's text, 722 (Node 20, both measured by this spec).
      expect(perFile).to.be.below(580);
    });
  });
});

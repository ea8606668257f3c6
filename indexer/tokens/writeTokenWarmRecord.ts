import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { IndexStore } from '../../domain/ports.js';
import { detachedString } from '../../domain/index/detachedString.js';
import type { HomeTokenSums } from '../../domain/tokens/reportSums.js';
import { listRolloutHome } from '../../adapters/driven/jsonl/home/discover.js';
import type { RolloutHomeListing } from '../../adapters/driven/jsonl/home/discover.js';
import { writeFileAtomic } from '../../adapters/driven/fs/writeFileAtomic.js';
import { SCHEMA_VERSION } from '../../adapters/driven/lmdb/schema.js';
import { settlesByStats } from '../catchUp/settleUnchanged.js';
import { eachCheckpoint } from '../reads/eachCheckpoint.js';
import { TOKEN_WARM_RECORD, TOKEN_WARM_RECORD_VERSION, recordPieces } from './tokenWarmRecord.js';
import type { TokenWarmRecord } from './tokenWarmRecord.js';

/** About how much of the record's text one write takes. */
const WRITE_BYTES = 64 * 1024;

/** What the record holds of the home: its folders and their times, the roots missing, each file's name and stats. */
export type RecordedHome = Pick<TokenWarmRecord, 'folders' | 'folderTimes' | 'missing' | 'fileNames' | 'fileStats'>;

export interface RecordedHomeOptions {
  /**
   * The home as a catch-up listed it (each folder timed before its entries), to record instead of
   * listing it again: a record holds only while each file it names is as its checkpoint says when
   * the sums are read, whenever the listing was made (a file changed since fails that; an entry
   * added since moved its folder's times).
   */
  readonly listing?: RolloutHomeListing;
  /** The wall clock the folders' times are compared with (a test's stands for time passed). */
  readonly nowMs?: () => number;
  /** Called between the home's listing and its checkpoints' reads: a one-shot process collects there (garbageBound). */
  readonly stepDone?: () => void;
}

/**
 * The home as the record holds it, when the index describes all of it (undefined otherwise):
 * the folders as listed (the catch-up's `listing`, else listed now: each timed before its
 * entries), every file with a checkpoint a token catch-up reads (its own, else the full one's:
 * catchUp.ts) that settles it by its stats (`settlesByStats`), no two files of one rollout and no
 * checkpoint without its file (what the plan leaves unchanged, all of it). Each file is recorded
 * with the stats its checkpoint holds, not stated again: a report answers from the record only
 * while every file shows those stats (tokenWarmRecord.ts), so a file changed since its checkpoint,
 * before or after the record, fails that, as it would fail a stat now. Made before the sums
 * are read: the listing, its map and the settled flags are gone before the sums are held (the two
 * at once were a first report's peak on a home of many files), and what it keeps is a few bytes a
 * file. `stepDone` is called between the listing and the checkpoints' reads (a one-shot process
 * collects there: garbageBound).
 */
export const recordedHome = async (
  store: IndexStore,
  codexHome: string,
  { listing, nowMs = Date.now, stepDone = () => undefined }: RecordedHomeOptions = {},
): Promise<RecordedHome | undefined> => {
  // The listing a whole-home catch-up records too (domain/index/homeStats.ts): each folder timed before its entries.
  // The catch-up's own when given (`listing`): listed again, a report after Codex wrote read every folder twice.
  const tree = listing === undefined ? await listRolloutHome(codexHome, true, nowMs)() : E.right(listing);
  if (E.isLeft(tree)) return undefined;
  const folders: string[] = [];
  const times: number[] = [];
  const missing = [...tree.right.absent];
  const folderAt = new Map<string, number>();
  for (const f of tree.right.folders) {
    // A folder changed within a racy interval may change again with the same times.
    if (f.mtimeMs === null) return undefined;
    folderAt.set(f.path, folders.push(f.path) - 1);
    times.push(f.mtimeMs, f.ctimeMs);
  }
  // Each file settled by its checkpoint as it is read, none kept (a large home's checkpoints, probes
  // and plan were most of a first report's peak): a token checkpoint first, a file without one by
  // its `files` checkpoint. The record holds when every listed file settles, no two claim one
  // rollout, and no checkpoint is left without its file: what the plan (catchUp/plan.ts) would
  // leave unchanged, all of it. No file is stated here: the catch-up just stated each against its
  // checkpoint, and the next report states each against the record (a stat a file here was most of
  // the record's cost on a home of many files).
  // The listing's garbage (each folder's entries, their stats) goes before the checkpoints are read.
  stepDone();
  const files = tree.right.files;
  const at = new Map<string, number>(files.map((f, i) => [f.path, i]));
  const settled = new Uint8Array(files.length);
  const rollouts = new Set<string>();
  const fileStats: number[] = new Array<number>(4 * files.length).fill(0);
  let holds = true;
  for (const table of ['tokenFiles', 'files'] as const) {
    const read = await eachCheckpoint(store, table, (cp) => {
      const i = at.get(cp.path);
      if (!holds || (i !== undefined && settled[i] === 1)) return;
      const f = i === undefined ? undefined : files[i]!;
      const folder = f === undefined ? undefined : folderAt.get(nodePath.dirname(f.path));
      if (i === undefined || !settlesByStats(f!, cp) || folder === undefined || rollouts.has(cp.rolloutId)) {
        holds = false;
        return;
      }
      // Detached: the id is cut from the checkpoint row's text, which a kept cut keeps whole.
      rollouts.add(detachedString(cp.rolloutId));
      settled[i] = 1;
      fileStats[4 * i] = folder;
      fileStats[4 * i + 1] = cp.size;
      fileStats[4 * i + 2] = cp.mtimeMs;
      fileStats[4 * i + 3] = cp.ctimeMs;
    });
    if (E.isLeft(read)) return undefined;
  }
  if (!holds || settled.includes(0)) return undefined;
  // Each name a string of its own: a basename is a cut of its path, which would keep every path alive while the sums are read.
  const fileNames = files.map((f) => detachedString(nodePath.basename(f.path)));
  return { folders, folderTimes: times, missing, fileNames, fileStats };
};

/**
 * Record the home's token sums, read at write mark `markOfSums`, for the next report
 * (tokenWarmRecord.ts), with the home as `recordedHome` found it at that mark: written when the
 * mark is still `markOfSums` (no checkpoint moved since the home was settled against them and the
 * sums read). Otherwise nothing is recorded and a stale record is left to fail its checks.
 * Returns whether it recorded (a failure to write is no failure of the report).
 */
export const writeTokenWarmRecord = async (
  store: IndexStore,
  codexHome: string,
  indexDir: string,
  markOfSums: string,
  sums: HomeTokenSums,
  home: RecordedHome,
): Promise<boolean> => {
  const mark = store.writeMark?.();
  if (mark === undefined || E.isLeft(mark) || mark.right !== markOfSums) return false;
  const pieces = recordPieces(
    {
      version: TOKEN_WARM_RECORD_VERSION,
      schemaVersion: SCHEMA_VERSION,
      codexHome,
      writeMark: markOfSums,
      ...home,
    },
    sums,
  );
  try {
    await writeFileAtomic(
      nodePath.join(indexDir, TOKEN_WARM_RECORD),
      async (fh) => {
        // Pieces joined into writes of about WRITE_BYTES: a key, a comma or a number is a piece of
        // its own (a write each was 202 writes for a 5.8 MB record, 52 of them under 1 KB).
        let held = '';
        for (const piece of pieces) {
          held += piece;
          if (held.length < WRITE_BYTES) continue;
          await fh.write(held);
          held = '';
        }
        if (held !== '') await fh.write(held);
      },
      { mode: 0o600, root: indexDir },
    );
    return true;
  } catch {
    return false;
  }
};

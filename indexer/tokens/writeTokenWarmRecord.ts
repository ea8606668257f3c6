import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import type { HomeTokenSums } from '../../domain/tokens/reportSums.js';
import { listRolloutHome } from '../../adapters/driven/jsonl/home/discover.js';
import { statOnlyProbe } from '../../adapters/driven/jsonl/readers/probe.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import { writeFileAtomic } from '../../adapters/driven/fs/writeFileAtomic.js';
import { SCHEMA_VERSION } from '../../adapters/driven/lmdb/schema.js';
import { planCatchUp } from '../catchUp/plan.js';
import { TOKEN_WARM_RECORD, TOKEN_WARM_RECORD_VERSION, recordText } from './tokenWarmRecord.js';

/**
 * Record the home's token sums, read at write mark `markOfSums`, for the next report
 * (tokenWarmRecord.ts), when the index is current with the home: the folders listed again (each
 * timed before its listing), every file found settled by one `lstat` against the checkpoint a
 * token catch-up reads (its own, else the full one's: catchUp.ts), and a plan of those probes that
 * leaves every file unchanged (no duplicate, no file gone, none unreadable), the mark still
 * `markOfSums` after all that. Otherwise nothing is recorded and a stale record is left to fail
 * its checks. Returns whether it recorded (a failure to write is no failure of the report).
 */
export const writeTokenWarmRecord = async (
  store: IndexStore,
  codexHome: string,
  indexDir: string,
  markOfSums: string,
  sums: HomeTokenSums,
  /** The wall clock the folders' times are compared with (a test's stands for time passed). */
  nowMs: () => number = Date.now,
): Promise<boolean> => {
  // The listing a whole-home catch-up records too (domain/index/homeStats.ts): each folder timed before its entries.
  const tree = await listRolloutHome(codexHome, true, nowMs)();
  if (E.isLeft(tree)) return false;
  const folders: string[] = [];
  const times: number[] = [];
  const missing = [...tree.right.absent];
  const folderAt = new Map<string, number>();
  for (const f of tree.right.folders) {
    // A folder changed within a racy interval may change again with the same times.
    if (f.mtimeMs === null) return false;
    folderAt.set(f.path, folders.push(f.path) - 1);
    times.push(f.mtimeMs, f.ctimeMs);
  }
  // Read one row at a time (no array of them), the pages they mapped unmapped after (a one-shot process's RSS).
  const cps = new Map<string, FileCheckpoint>();
  for (const table of ['files', 'tokenFiles'] as const) {
    const read = await store.scan(table, [], ({ value }) => void cps.set(value.path, value))();
    if (E.isLeft(read)) return false;
  }
  if (store.remap !== undefined && E.isLeft(store.remap())) return false;
  const probes: Probe[] = [];
  const fileNames: string[] = [];
  const fileStats: number[] = [];
  for (const f of tree.right.files) {
    const cp = cps.get(f.path);
    const p = cp === undefined ? undefined : statOnlyProbe(f, cp);
    const folder = folderAt.get(nodePath.dirname(f.path));
    if (p === undefined || folder === undefined) return false;
    probes.push(p);
    fileNames.push(nodePath.basename(f.path));
    fileStats.push(folder, p.size, p.mtimeMs, p.ctimeMs);
  }
  const plan = planCatchUp(probes, cps, undefined);
  if (plan.gone.length > 0 || plan.orphaned.length > 0 || plan.duplicates.length > 0 || plan.mismatched.length > 0)
    return false;
  if (plan.actions.some((a) => a.action.kind !== 'unchanged')) return false;
  const mark = store.writeMark?.();
  if (mark === undefined || E.isLeft(mark) || mark.right !== markOfSums) return false;
  const text = recordText(
    {
      version: TOKEN_WARM_RECORD_VERSION,
      schemaVersion: SCHEMA_VERSION,
      codexHome,
      writeMark: markOfSums,
      folders,
      folderTimes: times,
      missing,
      fileNames,
      fileStats,
    },
    sums,
  );
  try {
    await writeFileAtomic(nodePath.join(indexDir, TOKEN_WARM_RECORD), text, { mode: 0o600, root: indexDir });
    return true;
  } catch {
    return false;
  }
};

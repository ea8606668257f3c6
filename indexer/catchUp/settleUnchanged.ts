import type { FileCheckpoint, IndexReader } from '../../domain/index/rows.js';
import { ROWS_BETWEEN_UNMAPS } from '../../domain/ports.js';
import { holdsRows } from '../../domain/index/rows.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import { statOnlyProbe } from '../../adapters/driven/jsonl/readers/probe.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import { STATS_BETWEEN_YIELDS, letOthersIn } from './probeHome.js';

/*
 * A whole-home catch-up's first pass: a file one lstat shows as its checkpoint left it, holding its
 * rollout's rows alone, is settled here, and is neither probed nor planned. What the plan
 * (plan.ts) would do with it is known: nothing (its group is itself, it owns its rows, it is
 * `unchanged`). Kept of it is its place in the listing under its rollout id, so that the catch-up
 * holds per settled file one map entry, not a checkpoint, a probe and an action: its memory on a
 * large home no longer grows with every file's checkpoint (bench/scale.ts).
 */

export interface Settled {
  /** The files left to probe and plan, by their index in the listing, in its order. */
  readonly rest: number[];
  /** The checkpoints the plan must see: of the files left, and of the files gone from the listing. */
  readonly cps: Map<string, FileCheckpoint>;
  /** The settled files, by their rollout id: their index in the listing. */
  readonly byRollout: Map<string, number>;
  /**
   * The token projection's own checkpoints the catch-up must see: those it was given (a full
   * catch-up), or, for the token projection alone, those of the files left and gone, read with them.
   */
  readonly tokenCps: Map<string, FileCheckpoint>;
  readonly by: SettledBy;
}

/**
 * What a file is settled by. A full catch-up: its `files` checkpoint, and a file with a token
 * checkpoint of its own (`tokenCps`: caught up alone, ahead of its `files` one) is never settled.
 * The token projection alone: the checkpoint its catch-up continues from (its own, else the
 * file's `files` one, as catchUp.ts gives the plan), read file by file as the `files` one is, so
 * that no checkpoint of a settled file is held (a home caught up only by `tokens` reports held
 * every file's, and probed and planned every file, at each report after Codex wrote).
 */
export type SettledBy =
  { readonly subset: 'all'; readonly tokenCps: Map<string, FileCheckpoint> } | { readonly subset: 'tokens' };

/**
 * Whether a file's checkpoint can settle it by its stats alone (`settledProbe`, the token record's
 * files: writeTokenWarmRecord.ts): the file is no entry the listing refused, and `cp` holds its
 * rollout's rows under the thread its name says, read from its own lines (no early rollout, which
 * is probed whole: probe.ts `statOnlyProbe`).
 */
export const settlesByStats = (
  f: RolloutFile,
  cp: FileCheckpoint,
): cp is FileCheckpoint & { readonly rolloutId: string; readonly threadId: string } =>
  f.refused === undefined && holdsRows(cp) && cp.threadId === f.threadId && cp.upcastFrom === null;

/**
 * The probe of a file settled by its checkpoint alone: one lstat shows it as `cp` left it, and `cp`
 * holds its rollout's rows under the thread its name says (a file whose name and meta name other
 * threads is reported by the plan at every catch-up). The plan gives such a file `unchanged`
 * while no other file claims its rollout id and no checkpoint is left without its file.
 */
export const settledProbe = (
  f: RolloutFile,
  cp: FileCheckpoint,
): { readonly rolloutId: string; readonly probe: Probe } | undefined => {
  if (!settlesByStats(f, cp)) return undefined;
  const probe = statOnlyProbe(f, cp);
  return probe === undefined ? undefined : { rolloutId: cp.rolloutId, probe };
};

/**
 * Settle the unchanged files of `files` (a whole home's listing) against the checkpoints `reader`
 * holds (`by`: SettledBy). A settled file whose rollout id a checkpoint left to the plan (or a
 * token checkpoint) also names is planned after all. `unmap` is called every
 * ROWS_BETWEEN_UNMAPS checkpoints read: the kernel maps the pages around each one, and a large
 * home's were most of a no-op `index`'s resident set until its end (measured in the commit that
 * made this).
 */
export const settleUnchanged = async (
  reader: IndexReader,
  files: ReadonlyArray<RolloutFile>,
  by: SettledBy,
  options: Pick<CatchUpOptions, 'between'>,
  unmap: () => void = () => undefined,
): Promise<Settled> => {
  const tokenCps = by.subset === 'all' ? by.tokenCps : new Map<string, FileCheckpoint>();
  const settled: Settled = { rest: [], cps: new Map(), byRollout: new Map(), tokenCps, by };
  // A rollout id two settled files claim (an index that broke the one-winner rule): both are planned.
  const twice = new Set<number>();
  let withCheckpoint = 0;
  let withTokenCheckpoint = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const cp = reader.get('files', [f.path]);
    const tokenCp = by.subset === 'tokens' ? reader.get('tokenFiles', [f.path]) : tokenCps.get(f.path);
    if (cp !== undefined) withCheckpoint += 1;
    if (tokenCp !== undefined) withTokenCheckpoint += 1;
    const own = by.subset === 'tokens' ? (tokenCp ?? cp) : tokenCp === undefined ? cp : undefined;
    const settles = own === undefined ? undefined : settledProbe(f, own);
    if (settles !== undefined) {
      const other = settled.byRollout.get(settles.rolloutId);
      if (other === undefined) settled.byRollout.set(settles.rolloutId, i);
      else twice.add(other).add(i);
    } else keepForPlan(settled, i, f.path, cp, tokenCp);
    // One checkpoint read and one lstat a file: as many between two turns as probeHome's stat-only pass.
    if (i % STATS_BETWEEN_YIELDS === STATS_BETWEEN_YIELDS - 1) await letOthersIn(options);
    if (i % ROWS_BETWEEN_UNMAPS === ROWS_BETWEEN_UNMAPS - 1) unmap();
  }
  unmap();
  // The files gone: their checkpoints are the plan's (it forgets them, or clears their rollouts).
  // A checkpoint is keyed by its path: as many as the listed files have, and none is of a file
  // gone. Else they are looked for among every key (a pass that maps every page of the table).
  const goneIn = (['files', 'tokenFiles'] as const).filter((table) =>
    table === 'files'
      ? reader.count?.(table) !== withCheckpoint
      : by.subset === 'tokens' && reader.count?.(table) !== withTokenCheckpoint,
  );
  if (goneIn.length > 0) {
    const listed = new Set(files.map((f) => f.path));
    for (const table of goneIn)
      for (const k of reader.keys(table, [])) {
        const path = String(k[0]);
        if (listed.has(path) || settled.cps.has(path)) continue;
        keepForPlan(
          settled,
          undefined,
          path,
          reader.get('files', [path]),
          by.subset === 'tokens' ? reader.get('tokenFiles', [path]) : undefined,
        );
      }
    unmap();
  }
  const claimed = new Set(twice);
  for (const cp of [...settled.cps.values(), ...tokenCps.values()]) {
    const i = cp.rolloutId === null ? undefined : settled.byRollout.get(cp.rolloutId);
    if (i !== undefined) claimed.add(i);
  }
  if (claimed.size > 0) {
    for (const i of claimed) unsettle(reader, files, i, settled);
    settled.rest.sort((a, b) => a - b);
  }
  return settled;
};

/**
 * The settled files whose rollout id a probed file claims (a copy, a move, a new file with its id):
 * planned after all, their checkpoints added to the plan's, so that it elects the winner among all
 * of them. Their indices in the listing, in its order.
 */
export const claimedBy = (
  reader: IndexReader,
  files: ReadonlyArray<RolloutFile>,
  probes: ReadonlyArray<Probe>,
  settled: Settled,
): number[] => {
  const out: Settled = { ...settled, rest: [] };
  for (const p of probes) {
    const i = p.identity.ok ? settled.byRollout.get(p.identity.rolloutId) : undefined;
    if (i !== undefined) unsettle(reader, files, i, out);
  }
  return out.rest.sort((a, b) => a - b);
};

/**
 * A file for the plan (a listed one at `i`, else one gone): its checkpoint to the plan's (for the
 * token projection alone, the one it continues from), its own token checkpoint kept with it.
 */
const keepForPlan = (
  into: Settled,
  i: number | undefined,
  path: string,
  cp: FileCheckpoint | undefined,
  tokenCp: FileCheckpoint | undefined,
): void => {
  if (i !== undefined) into.rest.push(i);
  const own = into.by.subset === 'tokens' ? (tokenCp ?? cp) : cp;
  if (own !== undefined) into.cps.set(path, own);
  if (into.by.subset === 'tokens' && tokenCp !== undefined) into.tokenCps.set(path, tokenCp);
};

/** A settled file planned after all: its checkpoint to the plan's, itself to the files left. */
const unsettle = (reader: IndexReader, files: ReadonlyArray<RolloutFile>, i: number, into: Settled): void => {
  const f = files[i]!;
  const cp = reader.get('files', [f.path]);
  const tokenCp = into.by.subset === 'tokens' ? reader.get('tokenFiles', [f.path]) : undefined;
  const own = into.by.subset === 'tokens' ? (tokenCp ?? cp) : cp;
  if (own !== undefined && own.rolloutId !== null && into.byRollout.get(own.rolloutId) === i)
    into.byRollout.delete(own.rolloutId);
  keepForPlan(into, i, f.path, cp, tokenCp);
};

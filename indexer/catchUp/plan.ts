import type { FileCheckpoint } from '../../domain/index/rows.js';
import { currentFileOf } from '../../domain/history/historyBase.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';

/**
 * Plan: from the probes of the files and the stored checkpoints, decide what a catch-up does.
 * One winner per rollout id (active before archived, then newest name, then path; losers are
 * reported as duplicates), the rollouts whose rows must be cleared (owner file gone, changed,
 * renamed or lost), the files that are gone, and per file: index, tail, or just record why it
 * holds no rows. Pure.
 */

export type FileAction =
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'duplicate'; readonly winner: string }
  | { readonly kind: 'unchanged' }
  /** Fold from the checkpoint (`from`), or from the first byte after clearing `resetRollouts`. */
  | {
      readonly kind: 'index';
      readonly from: FileCheckpoint | undefined;
      readonly resetRollouts: ReadonlyArray<string>;
      readonly counted: 'indexed' | 'tailed' | 'reindexed';
    };

export interface CatchUpPlan {
  readonly duplicates: Array<{ rolloutId: string; winner: string; losers: string[] }>;
  readonly mismatched: Array<{ path: string; nameThreadId: string; metaThreadId: string }>;
  /** Checkpoints of files that are gone, with the thread they named and the rollouts whose rows go with them. */
  readonly gone: ReadonlyArray<{
    readonly path: string;
    readonly threadId: string | null;
    readonly owned: ReadonlyArray<string>;
  }>;
  /** Rollouts that lost their file and have no other: their rows go. */
  readonly orphaned: ReadonlyArray<string>;
  readonly actions: ReadonlyArray<{ readonly probe: Probe; readonly action: FileAction }>;
  /** Bytes the plan will read. */
  readonly bytesToRead: number;
  /** Files settled before the plan, as `unchanged` (settleUnchanged.ts): counted, not in `actions`. */
  readonly settled: number;
}

/** No rollout to clear: one shared list, as a catch-up holds an action a file of the home to its end. */
const NO_ROLLOUTS: ReadonlyArray<string> = Object.freeze([]);

type Checkpoints = ReadonlyMap<string, FileCheckpoint>;
type Only = ReadonlySet<string> | undefined;

/** The readable probes grouped by rollout id, and the files whose name and meta disagree on the thread. */
const groupByRollout = (
  probes: ReadonlyArray<Probe>,
): { groups: Map<string, Probe[]>; mismatched: CatchUpPlan['mismatched'] } => {
  const mismatched: CatchUpPlan['mismatched'] = [];
  const groups = new Map<string, Probe[]>();
  for (const p of probes) {
    if (!p.identity.ok) continue;
    if (p.identity.threadId !== p.file.threadId)
      mismatched.push({ path: p.file.path, nameThreadId: p.file.threadId, metaThreadId: p.identity.threadId });
    const g = groups.get(p.identity.rolloutId);
    if (g) g.push(p);
    else groups.set(p.identity.rolloutId, [p]);
  }
  return { groups, mismatched };
};

/** One winner per rollout id; the groups of more than one file, as duplicates sorted by rollout id. */
const electWinners = (
  groups: ReadonlyMap<string, Probe[]>,
): { winners: Map<string, Probe>; duplicates: CatchUpPlan['duplicates'] } => {
  const winners = new Map<string, Probe>();
  const duplicates: CatchUpPlan['duplicates'] = [];
  for (const [rid, g] of groups) {
    const w = g.length === 1 ? g[0]! : currentFileOf(g.map((p) => ({ ...p.file, probe: p })))!.probe;
    winners.set(rid, w);
    if (g.length > 1)
      duplicates.push({
        rolloutId: rid,
        winner: w.file.path,
        losers: g
          .filter((p) => p !== w)
          .map((p) => p.file.path)
          .sort(),
      });
  }
  duplicates.sort((a, b) => (a.rolloutId < b.rolloutId ? -1 : 1));
  return { winners, duplicates };
};

/** Rollouts whose owner file is gone, changed, renamed or no longer the winner: their rows are cleared. */
const rolloutsToReset = (
  cps: Checkpoints,
  only: Only,
  probed: ReadonlyMap<string, Probe>,
  winners: ReadonlyMap<string, Probe>,
): Set<string> => {
  const resets = new Set<string>();
  for (const cp of cps.values()) {
    if (cp.rolloutId === null || cp.duplicateOf !== null || cp.error !== null) continue;
    if (only && !only.has(cp.path)) continue;
    const p = probed.get(cp.path);
    const w = winners.get(cp.rolloutId);
    if (!p || p.changed || !p.identity.ok || p.identity.rolloutId !== cp.rolloutId || w?.file.path !== cp.path)
      resets.add(cp.rolloutId);
  }
  return resets;
};

/** The checkpoints of files that are gone (each reset rollout owned by the first), and the reset rollouts left with no file. */
const goneAndOrphaned = (
  cps: Checkpoints,
  only: Only,
  probed: ReadonlyMap<string, Probe>,
  winners: ReadonlyMap<string, Probe>,
  resets: ReadonlySet<string>,
): Pick<CatchUpPlan, 'gone' | 'orphaned'> => {
  const gone: Array<{ path: string; threadId: string | null; owned: string[] }> = [];
  const cleared = new Set<string>();
  for (const cp of cps.values()) {
    if (probed.has(cp.path) || (only && !only.has(cp.path))) continue;
    const owned =
      cp.rolloutId !== null && resets.has(cp.rolloutId) && !winners.has(cp.rolloutId) && !cleared.has(cp.rolloutId)
        ? [cp.rolloutId]
        : [];
    for (const o of owned) cleared.add(o);
    gone.push({ path: cp.path, threadId: cp.threadId, owned });
  }
  const orphaned = [...resets].filter((rid) => !winners.has(rid) && !cleared.has(rid));
  return { gone, orphaned };
};

/** Per file: unreadable, duplicate, unchanged, or index (from its checkpoint or from the start); and the bytes that reads. */
const fileActions = (
  probes: ReadonlyArray<Probe>,
  cps: Checkpoints,
  only: Only,
  winners: ReadonlyMap<string, Probe>,
  resets: ReadonlySet<string>,
): Pick<CatchUpPlan, 'actions' | 'bytesToRead'> => {
  const knownRollouts = new Set<string>();
  for (const cp of cps.values()) if (cp.rolloutId !== null) knownRollouts.add(cp.rolloutId);
  let bytesToRead = 0;
  const actions = probes.map((p): { probe: Probe; action: FileAction } => {
    if (!p.identity.ok) return { probe: p, action: { kind: 'unreadable', reason: p.identity.reason } };
    const rid = p.identity.rolloutId;
    const w = winners.get(rid)!;
    if (w !== p) return { probe: p, action: { kind: 'duplicate', winner: w.file.path } };
    const cp = p.cp;
    const full =
      cp === undefined ||
      cp.duplicateOf !== null ||
      cp.error !== null ||
      p.changed ||
      cp.rolloutId !== rid ||
      resets.has(rid);
    if (!full && p.size === cp.size && cp.headLen === p.headLen) return { probe: p, action: { kind: 'unchanged' } };
    bytesToRead += Math.max(0, p.size - (full ? 0 : cp!.byteOffset));
    // Rows of a rollout exist only while a checkpoint names it: a rollout no checkpoint knows has
    // none to clear (known only when every checkpoint was read, i.e. not for given files).
    const resetRollouts = only !== undefined || knownRollouts.has(rid) ? [rid] : NO_ROLLOUTS;
    if (full)
      return {
        probe: p,
        action: { kind: 'index', from: undefined, resetRollouts, counted: cp === undefined ? 'indexed' : 'reindexed' },
      };
    return { probe: p, action: { kind: 'index', from: cp, resetRollouts: NO_ROLLOUTS, counted: 'tailed' } };
  });
  return { actions, bytesToRead };
};

export const planCatchUp = (probes: ReadonlyArray<Probe>, cps: Checkpoints, only: Only, settled = 0): CatchUpPlan => {
  const probed = new Map(probes.map((p) => [p.file.path, p]));
  const { groups, mismatched } = groupByRollout(probes);
  const { winners, duplicates } = electWinners(groups);
  const resets = rolloutsToReset(cps, only, probed, winners);
  const { gone, orphaned } = goneAndOrphaned(cps, only, probed, winners, resets);
  const { actions, bytesToRead } = fileActions(probes, cps, only, winners, resets);
  return { duplicates, mismatched, gone, orphaned, actions, bytesToRead, settled };
};

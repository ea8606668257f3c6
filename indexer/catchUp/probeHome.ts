import type { FileCheckpoint } from '../../domain/index/rows.js';
import { errnoCode } from '../../adapters/driven/fs/fsError.js';
import { probeFile, statOnlyProbe, tailHashOf } from '../../adapters/driven/jsonl/readers/probe.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import type { TailReader } from '../../adapters/driven/jsonl/readers/tailReader.js';
import type { CatchUpOptions } from './catchUpOptions.js';

/** Files probed at once: probing is open + stat + one read, latency-bound. */
export const PROBE_CONCURRENCY = 16;

/** Probes run between two turns of the event loop. */
const PROBES_BETWEEN_YIELDS = 32;

/** Stat-only probes (one lstat each, cheap) run between two turns of the event loop. */
export const STATS_BETWEEN_YIELDS = 512;

/** A turn of the event loop, then the caller's own pause: a backfill behind a server lets its requests in. */
export const letOthersIn = async (options: Pick<CatchUpOptions, 'between'>): Promise<void> => {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await options.between?.();
};

/** Map with bounded concurrency, results in input order. */
export const mapLimit = async <A, B>(xs: ReadonlyArray<A>, limit: number, f: (a: A) => Promise<B>): Promise<B[]> => {
  const out = new Array<B>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await f(xs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
};

/** A catch-up's reader thread, started while the probes find much to read (it boots while the rest are probed). */
export interface EarlyReader {
  /** Starts one; undefined: none may be used. */
  readonly open: (() => TailReader) | undefined;
  /** Bytes found to read from which it is started. */
  readonly fromBytes: number;
  /** The one started while probing, if any: the caller closes it. */
  started?: TailReader;
}

/**
 * Probe every file against its checkpoint (`probe.ts`), in discovery's order: known files one lstat
 * shows untouched are settled in one synchronous pass (an unchanged home is then a stat a file, no
 * promise per file), the rest get the full probe, `PROBE_CONCURRENCY` at once. A file deleted while
 * probed is left out (the plan handles it as gone). Throws what the file system threw.
 */
export const probeHome = async (
  files: ReadonlyArray<RolloutFile>,
  cps: ReadonlyMap<string, FileCheckpoint>,
  options: Pick<CatchUpOptions, 'between'>,
  reader: EarlyReader,
): Promise<Probe[]> => {
  let toRead = 0;
  const settled: Probe[] = [];
  const toProbe: RolloutFile[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const cp = cps.get(f.path);
    const still = cp === undefined ? undefined : statOnlyProbe(f, cp);
    if (still === undefined) toProbe.push(f);
    else {
      settled.push(still);
      toRead += still.size - cp!.byteOffset;
    }
    if (i % STATS_BETWEEN_YIELDS === STATS_BETWEEN_YIELDS - 1) await letOthersIn(options);
  }
  let started = 0;
  const probed = await mapLimit(toProbe, PROBE_CONCURRENCY, async (f) => {
    // Probes are synchronous calls: a backfill running behind a server lets its requests in between.
    if (++started % PROBES_BETWEEN_YIELDS === 0) await letOthersIn(options);
    try {
      const p = await probeFile(f, cps.get(f.path));
      if (p !== 'incomplete') toRead += p.size - (p.cp !== undefined && !p.changed ? p.cp.byteOffset : 0);
      if (reader.open !== undefined && reader.started === undefined && toRead >= reader.fromBytes)
        reader.started = reader.open();
      return p;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return 'incomplete' as const; // deleted while we looked: handled as gone
      throw err;
    }
  });
  const probes = settled;
  for (const p of probed) if (p !== 'incomplete') probes.push(p);
  // In discovery's order, as before the split (the plan's order of actions and reports).
  if (settled.length > 0 && toProbe.length > 0) {
    const order = new Map(files.map((f, i) => [f.path, i]));
    probes.sort((a, b) => order.get(a.file.path)! - order.get(b.file.path)!);
  }
  return probes;
};

/**
 * Does the token projection's own checkpoint (caught up alone, past the file's) still describe the
 * file as probed: the same head, not shorter, the same bytes before it? (One read of at most 4 KiB.)
 */
export const tokenCheckpointHolds = (p: Probe, t: FileCheckpoint | undefined): boolean => {
  if (t === undefined) return true;
  if (!p.identity.ok || p.headLen !== t.headLen || p.headHash !== t.headHash || p.size < t.byteOffset) return false;
  try {
    return tailHashOf(p.file.path, t.byteOffset, p.file.root).tailHash === t.tailHash;
  } catch {
    return false;
  }
};

/**
 * `npm run bench -- mutations [--json] [--gb N] [--shapes heavy,real]`: fork and rollback cost
 * against history size. Per shape, a paginated thread of ~1 GB (and a legacy one, for the
 * appended rollback marker) in a temporary CODEX_HOME — `heavy`: generated turns of ~1 MB tool
 * output (bench/mutationsData.ts); `real`: a 200-turn thread the real codex wrote, its turns
 * repeated (bench/realHome.ts) — indexed once, then the mutations timed many times each, with the
 * bytes each one writes. The naive baseline in the same run is what a copying fork pays: the
 * history copied byte for byte. Everything generated is deleted afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { renderError } from '../domain/errors.js';
import { openIndex } from '../indexer/open/openIndex.js';
import { catchUpHome } from '../indexer/catchUp/catchUp.js';
import { portsOver } from '../adapters/driving/composition/openCodexHome.js';
import { forkThread } from '../replay/mutations/forkThread.js';
import { rollbackThread } from '../replay/mutations/rollbackThread.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import { buildHugeThreadHome } from './realHome.js';
import type { BenchShape } from './realHome.js';
import { openTailReaderThread } from '../adapters/driven/jsonl/workers/tailReaderThread.js';
import { generateThread } from './mutationsData.js';

const PAGINATED = 'eeeeeeee-0000-7000-8000-000000000001';
const LEGACY = 'eeeeeeee-0000-7000-8000-000000000002';
const must = async <A>(te: TE.TaskEither<EngineError, A>): Promise<A> => {
  const r = await te();
  if (E.isLeft(r)) throw new Error(renderError(r.left));
  return r.right;
};

const stats = (ms: number[]): { runs: number; medianMs: number; p95Ms: number; minMs: number; maxMs: number } => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Number(s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3));
  return {
    runs: s.length,
    medianMs: at(0.5),
    p95Ms: at(0.95),
    minMs: Number(s[0]!.toFixed(3)),
    maxMs: Number(s[s.length - 1]!.toFixed(3)),
  };
};

const timed = async <A>(f: () => Promise<A>): Promise<{ ms: number; value: A }> => {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
};

interface BenchThread {
  readonly id: string;
  readonly path: string;
  readonly bytes: number;
  readonly turns: number;
  readonly middleTurnId: string;
}

/** The id of the first turn that starts past the middle of the file (one read of 4 MB there). */
const middleTurnOf = (path: string, bytes: number): string => {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4 << 20);
    const n = fs.readSync(fd, buf, 0, buf.length, Math.floor(bytes / 2));
    const m = /"type":"task_started","turn_id":"([^"]+)"/.exec(buf.subarray(0, n).toString('utf8'));
    if (m === null) throw new Error(`no task_started near the middle of ${path}`);
    return m[1]!;
  } finally {
    fs.closeSync(fd);
  }
};

/** A paginated and a legacy thread of ~`target` bytes each, of the shape asked for. */
const benchThreads = async (
  shape: BenchShape,
  home: string,
  target: number,
): Promise<Record<HistoryMode, BenchThread>> => {
  if (shape === 'real') {
    const of = async (mode: HistoryMode): Promise<BenchThread> => {
      const t = await buildHugeThreadHome(home, target, mode);
      return {
        id: t.threadId,
        path: t.path,
        bytes: t.bytes,
        turns: t.turns,
        middleTurnId: middleTurnOf(t.path, t.bytes),
      };
    };
    return { paginated: await of('paginated'), legacy: await of('legacy') };
  }
  const day = nodePath.join(home, 'sessions', '2026', '11', '21');
  const of = (mode: HistoryMode, id: string): BenchThread => {
    const path = nodePath.join(day, `rollout-2026-11-21T14-00-00-${id}.jsonl`);
    const g = generateThread(path, id, mode, target);
    return { id, path, bytes: g.bytes, turns: g.turns, middleTurnId: `turn-${Math.floor(g.turns / 2)}` };
  };
  return { paginated: of('paginated', PAGINATED), legacy: of('legacy', LEGACY) };
};

export const runMutations = async (
  gb: number,
  runs = 20,
  shapes: ReadonlyArray<BenchShape> = ['heavy', 'real'],
): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = { suite: 'mutations' };
  for (const shape of shapes) out[shape] = await runMutationsOn(shape, gb, runs);
  return out;
};

// long: a bench's run (or its generated data), read top to bottom in the order it runs
const runMutationsOn = async (shape: BenchShape, gb: number, runs: number): Promise<Record<string, unknown>> => {
  const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rollout-engine-bench-mutations-'));
  try {
    const target = Math.round(gb * (1 << 30));
    const gen = await timed(() => benchThreads(shape, home, target));
    const paginatedId = gen.value.paginated.id;
    const legacyId = gen.value.legacy.id;
    const pPath = gen.value.paginated.path;
    const day = nodePath.dirname(pPath);
    const opened = await openIndex(nodePath.join(home, '.rollout-engine', 'index'), home)();
    if (E.isLeft(opened)) throw new Error(renderError(opened.left));
    const store = opened.right.store;
    try {
      const indexRun = await timed(() => must(catchUpHome(store, home, { tailReader: openTailReaderThread })));
      const ports = portsOver(store, home, {}).mutations;
      const middle = gen.value.paginated.middleTurnId;

      const forkWhole: number[] = [];
      const forkMiddle: number[] = [];
      const forkBytes: number[] = [];
      for (let i = 0; i < runs; i++) {
        const w = await timed(() => must(forkThread(ports, { threadId: paginatedId, excludeTurns: true })));
        forkWhole.push(w.ms);
        forkBytes.push(w.value.written.bytes);
        const m = await timed(() =>
          must(forkThread(ports, { threadId: paginatedId, lastTurnId: middle, excludeTurns: true })),
        );
        forkMiddle.push(m.ms);
        forkBytes.push(m.value.written.bytes);
      }
      const rollbackPaginated: number[] = [];
      const rollbackPaginatedBytes: number[] = [];
      const rollbackLegacy: number[] = [];
      const rollbackLegacyBytes: number[] = [];
      for (let i = 0; i < runs; i++) {
        const p = await timed(() =>
          must(rollbackThread(ports, { threadId: paginatedId, numTurns: 1 }, { excludeTurns: true })),
        );
        rollbackPaginated.push(p.ms);
        rollbackPaginatedBytes.push(p.value.written?.bytes ?? 0);
        const l = await timed(() =>
          must(rollbackThread(ports, { threadId: legacyId, numTurns: 1 }, { excludeTurns: true })),
        );
        rollbackLegacy.push(l.ms);
        rollbackLegacyBytes.push(l.value.written?.bytes ?? 0);
      }
      // Naive baseline: a fork that copies the history (what a legacy fork, or a copying store, pays).
      const copyPath = nodePath.join(day, 'baseline-copy.tmp');
      const naive = await timed(async () => {
        await fs.promises.copyFile(pPath, copyPath);
        const fd = fs.openSync(copyPath, 'r');
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      });
      fs.rmSync(copyPath);
      const legacyFork = await timed(() =>
        must(forkThread(ports, { threadId: legacyId, lastTurnId: gen.value.legacy.middleTurnId, excludeTurns: true })),
      );
      return {
        history: {
          paginatedBytes: gen.value.paginated.bytes,
          paginatedTurns: gen.value.paginated.turns,
          legacyBytes: gen.value.legacy.bytes,
          legacyTurns: gen.value.legacy.turns,
          generateSeconds: Number((gen.ms / 1000).toFixed(2)),
          indexSeconds: Number((indexRun.ms / 1000).toFixed(2)),
        },
        forkWhole: { ...stats(forkWhole), targetMs: 10, bytesWritten: forkBytes[0] },
        forkAtMiddleTurn: { ...stats(forkMiddle), bytesWritten: forkBytes[1] },
        rollbackPaginated: {
          ...stats(rollbackPaginated),
          bytesWrittenEach: Math.max(...rollbackPaginatedBytes),
          what: 'revision file cut before the last turn',
        },
        rollbackLegacy: {
          ...stats(rollbackLegacy),
          bytesWrittenEach: Math.max(...rollbackLegacyBytes),
          what: 'appended thread_rolled_back marker',
        },
        naiveBaseline: {
          what: 'copy the paginated history byte for byte (a copying fork), fsync',
          ms: Number(naive.ms.toFixed(1)),
          bytesWritten: gen.value.paginated.bytes,
        },
        legacyForkCopyMiddle: {
          ms: Number(legacyFork.ms.toFixed(1)),
          bytesWritten: legacyFork.value.written.bytes,
          what: 'legacy fork = copy up to the cut, as Codex makes it',
        },
      };
    } finally {
      await store.close()();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
};

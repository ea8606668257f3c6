/**
 * `npm run bench -- tokens [--json] [--files N] [--mb-per-file M] [--keep DIR]`: token audit of a
 * generated home (default 1,000 rollouts, ~2 GB). Times the audit cold (no index: the run builds
 * it), warm (index exists and is current: catch-up probes only, report from the token projection)
 * and a naive baseline (stream every file, parse every token_usage_record line, sum). Checks the
 * audit total against the generator's. Deletes the data afterwards unless --keep.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as readline from 'node:readline';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { runTokens, tokensJson } from '../adapters/driving/cli/commands/tokensRun.js';
import { generateTokenHome } from './tokenHome.js';
import { buildRealShapedHome } from './realHome.js';
import type { BenchShape } from './realHome.js';

const walk = (d: string): string[] =>
  fs.existsSync(d)
    ? fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(nodePath.join(d, e.name)) : [nodePath.join(d, e.name)]))
    : [];

/** Naive audit: every byte read and every record line parsed, copies not recognised. */
const naiveAudit = async (home: string): Promise<{ totalTokens: number; records: number }> => {
  let totalTokens = 0;
  let records = 0;
  for (const f of walk(nodePath.join(home, 'sessions'))) {
    const rl = readline.createInterface({ input: fs.createReadStream(f), crlfDelay: Infinity });
    for await (const l of rl) {
      if (!l.includes('"type":"token_usage_record"')) continue;
      const p = (JSON.parse(l) as { payload: { usage: { total_tokens: number } } }).payload;
      totalTokens += p.usage.total_tokens;
      records += 1;
    }
  }
  return { totalTokens, records };
};

const timed = async <A>(f: () => Promise<A>): Promise<{ ms: number; value: A; rssMb: number }> => {
  const t = process.hrtime.bigint();
  const value = await f();
  return {
    ms: Math.round(Number(process.hrtime.bigint() - t) / 1e6),
    value,
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  };
};

export interface TokensBenchArgs {
  readonly files: number;
  readonly mbPerFile: number;
  readonly keep?: string;
}

/** Per shape: `heavy` is the generated home (its expected total known), `real` a real-shaped home of the same size. */
export const runTokensBench = async (
  args: TokensBenchArgs,
  shapes: ReadonlyArray<BenchShape> = ['heavy', 'real'],
): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = { suite: 'tokens' };
  for (const shape of shapes)
    out[shape] = await tokensOn(shape, {
      ...args,
      ...(args.keep === undefined ? {} : { keep: nodePath.join(args.keep, shape) }),
    });
  return out;
};

const tokensOn = async (shape: BenchShape, args: TokensBenchArgs): Promise<Record<string, unknown>> => {
  const root = args.keep ?? fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-tokens-'));
  const home = nodePath.join(root, 'home');
  const indexDir = nodePath.join(root, 'index');
  try {
    const gen = await timed(async () => {
      if (shape === 'heavy') return generateTokenHome(home, args.files, Math.round(args.mbPerFile * 1048576));
      const real = await buildRealShapedHome(home, args.files * args.mbPerFile * 1048576);
      return { files: real.files, bytes: real.bytes, responses: null, expectedTotalTokens: null };
    });
    const audit = async () => {
      const r = await runTokens({ codexHome: home, indexDir, json: true, tz: 'UTC' });
      if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
      // Its text made and read back, as a reader of `--json` would.
      return JSON.parse(JSON.stringify(tokensJson(r.right))) as {
        total: { totalTokens: number; responses: number };
        index: Record<string, unknown>;
        duplicateRecords: number;
        copiedCounts: number;
        byThread: unknown[];
      };
    };
    fs.rmSync(indexDir, { recursive: true, force: true });
    const cold = await timed(audit);
    const warm = await timed(audit);
    const warm2 = await timed(audit);
    const naive = await timed(() => naiveAudit(home));
    return {
      home: {
        files: gen.value.files,
        bytes: gen.value.bytes,
        gb: +(gen.value.bytes / 1e9).toFixed(2),
        responses: gen.value.responses,
        generateMs: gen.ms,
      },
      expectedTotalTokens: gen.value.expectedTotalTokens,
      cold: {
        ms: cold.ms,
        rssMb: cold.rssMb,
        totalTokens: cold.value.total.totalTokens,
        responses: cold.value.total.responses,
        index: cold.value.index,
      },
      warm: {
        ms: Math.min(warm.ms, warm2.ms),
        runsMs: [warm.ms, warm2.ms],
        rssMb: warm2.rssMb,
        totalTokens: warm.value.total.totalTokens,
        index: warm.value.index,
      },
      naiveBaseline: {
        ms: naive.ms,
        totalTokens: naive.value.totalTokens,
        records: naive.value.records,
        note: 'reads every byte each time; counts copied records again and misses count-only files',
      },
      // A real-shaped home has no generator's total: cold and warm must agree.
      correct:
        gen.value.expectedTotalTokens === null
          ? cold.value.total.totalTokens === warm.value.total.totalTokens
          : cold.value.total.totalTokens === gen.value.expectedTotalTokens &&
            warm.value.total.totalTokens === gen.value.expectedTotalTokens,
      excluded: { duplicateRecords: cold.value.duplicateRecords, copiedCounts: cold.value.copiedCounts },
      threads: cold.value.byThread.length,
      warmSpeedupVsCold: +(cold.ms / Math.max(1, Math.min(warm.ms, warm2.ms))).toFixed(1),
    };
  } finally {
    if (args.keep === undefined) fs.rmSync(root, { recursive: true, force: true });
  }
};

/**
 * The least a Node process spends to read what a token report needs, run by the tokens bench
 * (`tokens --vs ccusage`) in its own process, one way of reading per run:
 * - `parsed`: every rollout of the home read with the token pass's own scanner
 *   (adapters/driven/jsonl/readers/tokenLines.ts: the lines the token fold reads, the others passed over by their
 *   first bytes) and each of those lines given to JSON.parse;
 * - `fields`: the same scanner as the lean token pass runs it, each of those lines read by its
 *   fields from the bytes (projections/tokenLineFields.ts: exact, every byte of the line checked as
 *   JSON), nothing parsed;
 * - `searched`: what no exact reader goes below: each rollout read whole and only its
 *   `token_count` and `turn_context` lines found, by a byte search (`Buffer.indexOf`), their last
 *   usage's counts and the model read at fixed keys and summed per UTC day and model, on every
 *   core (worker threads, files shared out by bytes). Nothing checked: a line is not validated, a
 *   record repeated in a fork is counted twice, Codex's other token lines are not read; its sums
 *   are not a report's.
 * - `folded`: `fields`, with each file's identity probed as a catch-up probes it
 *   (adapters/driven/jsonl/readers/probe.ts) and its lines folded by the token projection into a batch of the
 *   file's own (the lean pass's fold: indexer/tokens/indexTokenFiles.ts), whose rows are built and
 *   dropped: everything a first report's pass does per file but the index writes;
 * - `foldedShared`: `folded` on every core, the files shared out by bytes as in `searched`.
 * The first three hold no fold, no index and no report; the last two no index and no report. Their
 * times beside a fresh `tokens` run are what the fold, the index writes and the report add; beside
 * ccusage, what a Node reader of these lines starts from, and what any pass that folds the lines as
 * the engine does (its totals, its duplicates and copies) costs on one core and on all of them.
 *   node dist/bench/tokenLinesFloor.js <home> [parsed|fields|searched|folded|foldedShared]   (default: parsed)
 * Prints one JSON line: {files, lines, bytes, seconds, threads} (seconds in-process, after start-up;
 * `folded*` also `rows`: the rows the fold built).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { RolloutFile } from '../domain/rollout/rolloutFile.js';
// The engine's modules are loaded by the main thread and a `foldedShared` worker (a `searched` worker loads none).
type TokenLinesModule = typeof import('../adapters/driven/jsonl/readers/tokenLines.js');
type WorkerPoolModule = typeof import('../indexer/workers/workerPool.js');

const MODES = ['parsed', 'fields', 'searched', 'folded', 'foldedShared'] as const;
type Mode = (typeof MODES)[number];

/** What one reader counted: the lines it read and their bytes. */
interface Counted {
  lines: number;
  bytes: number;
}

/** `parsed` and `fields`: the token pass's scanner over each file, from its first line. */
const scanned = (
  paths: ReadonlyArray<string>,
  mode: Extract<Mode, 'parsed' | 'fields'>,
  { TokenLineBuffer, TokenLines }: TokenLinesModule,
): Counted => {
  const buffer = new TokenLineBuffer();
  const counted = { lines: 0, bytes: 0 };
  for (const path of paths) {
    const tail = new TokenLines(path, { ordinal: 0, byteOffset: 0 }, buffer, mode === 'fields');
    try {
      while (
        tail.next((l) => {
          // Parsed and dropped, as a reader that keeps only a few numbers of each line would.
          if (mode === 'fields' || (l.text !== null && JSON.parse(l.text) !== null)) counted.lines += 1;
          counted.bytes += l.byteLength;
        })
      );
    } finally {
      tail.close();
    }
  }
  return counted;
};

/** What `folded` runs: the probe, the scanner, and the lean pass's token batch and fold. */
const loadFolding = async () => {
  const [tokenLines, probe, lean, batch] = await Promise.all([
    import('../adapters/driven/jsonl/readers/tokenLines.js'),
    import('../adapters/driven/jsonl/readers/probe.js'),
    import('../indexer/tokens/indexTokenFiles.js'),
    import('../projections/batch.js'),
  ]);
  return { tokenLines, probe, lean, batch };
};
type Folding = Awaited<ReturnType<typeof loadFolding>>;

/**
 * `folded`: each file probed (its identity), read from its first line by the lean pass's reader
 * and folded by the token projection as indexer/tokens/indexTokenFiles.ts `foldOn` folds a fresh file
 * (its `leanContextOf` and `beginTokenBatch`), into a batch over an empty index; its rows built (`writes`) and dropped. An early rollout (upcast
 * line by line by the general runner) is left out, as the lean pass leaves it to that runner.
 */
const foldFiles = async (files: ReadonlyArray<RolloutFile>, m: Folding): Promise<Counted & { rows: number }> => {
  const buffer = new m.tokenLines.TokenLineBuffer();
  const empty = m.batch.memoryIndex();
  const counted = { lines: 0, bytes: 0, rows: 0 };
  for (const f of files) {
    const p = await m.probe.probeFile(f, undefined);
    if (p === 'incomplete' || !p.identity.ok || p.identity.upcast !== null) continue;
    const { batch, fold } = m.lean.beginTokenBatch(empty, m.lean.leanContextOf(p.identity, f.path), [], true);
    const tail = new m.tokenLines.TokenLines(f.path, { ordinal: 0, byteOffset: 0 }, buffer);
    try {
      while (
        tail.next((l) => {
          fold(l);
          counted.lines += 1;
          counted.bytes += l.byteLength;
        })
      );
    } finally {
      tail.close();
    }
    counted.rows += batch.writes().length;
  }
  return counted;
};

const TOKEN_COUNT = Buffer.from('"type":"token_count"');
const TURN_CONTEXT = Buffer.from('"type":"turn_context"');
const MODEL = Buffer.from('"model":"');
const LAST_USAGE = Buffer.from('"last_token_usage":{');
const COUNTS = ['input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'total_tokens'].map(
  (k) => Buffer.from(`"${k}":`),
);
const NL = 0x0a;
const QUOTE = 0x22;
/** A line's envelope starts `{"timestamp":"YYYY-MM-DD`: its UTC day at these bytes. */
const DAY_FROM = '{"timestamp":"'.length;

/** The digits at `i` as a number (the counts are non-negative integers). */
const digitsAt = (b: Buffer, i: number): number => {
  let n = 0;
  for (let c = b[i]!; c >= 0x30 && c <= 0x39; c = b[++i]!) n = n * 10 + (c - 0x30);
  return n;
};

/** `searched`: one file's token_count lines summed per `day model` into `cells`. */
const searchFile = (path: string, cells: Map<string, number[]>, counted: Counted): void => {
  const b = fs.readFileSync(path);
  counted.bytes += b.length;
  let model = '';
  let from = 0;
  let count = b.indexOf(TOKEN_COUNT, from);
  let context = b.indexOf(TURN_CONTEXT, from);
  while (count >= 0 || context >= 0) {
    if (context >= 0 && (count < 0 || context < count)) {
      const m = b.indexOf(MODEL, context);
      if (m >= 0) model = b.toString('latin1', m + MODEL.length, b.indexOf(QUOTE, m + MODEL.length));
      from = context + 1;
      context = b.indexOf(TURN_CONTEXT, from);
      continue;
    }
    const start = b.lastIndexOf(NL, count) + 1;
    const endOfLine = b.indexOf(NL, count);
    const stop = endOfLine < 0 ? b.length : endOfLine;
    const usage = b.indexOf(LAST_USAGE, count);
    if (usage >= 0 && usage < stop) {
      const key = `${b.toString('latin1', start + DAY_FROM, start + DAY_FROM + 10)} ${model}`;
      let cell = cells.get(key);
      if (cell === undefined) cells.set(key, (cell = COUNTS.map(() => 0)));
      COUNTS.forEach((k, i) => {
        const at = b.indexOf(k, usage);
        if (at >= 0 && at < stop) cell[i]! += digitsAt(b, at + k.length);
      });
      counted.lines += 1;
    }
    from = stop;
    count = b.indexOf(TOKEN_COUNT, from);
    if (context >= 0 && context < from) context = b.indexOf(TURN_CONTEXT, from);
  }
};

/** A worker's share: its files searched (cells and counts posted back) or folded (counts posted back). */
type Share =
  | { readonly kind: 'searched'; readonly paths: ReadonlyArray<string> }
  | { readonly kind: 'folded'; readonly files: ReadonlyArray<RolloutFile> };
interface Searched extends Counted {
  readonly cells: Map<string, number[]>;
}

const searchShare = (share: { readonly paths: ReadonlyArray<string> }): Searched => {
  const cells = new Map<string, number[]>();
  const counted = { lines: 0, bytes: 0 };
  for (const path of share.paths) searchFile(path, cells, counted);
  return { ...counted, cells };
};

/** Each share on a worker of its own, what each posts back. */
const onWorkers = <A>(shares: ReadonlyArray<Share>): Promise<A[]> =>
  Promise.all(
    shares.map(
      (share) =>
        new Promise<A>((resolve, reject) => {
          const w = new Worker(new URL(import.meta.url), { workerData: share });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );

/** The files shared out by bytes over every core (the parallel catch-up's `balancedShares`). */
const sharedOut = <F extends { readonly path: string }>(
  files: ReadonlyArray<F>,
  { balancedShares }: WorkerPoolModule,
): F[][] =>
  balancedShares(
    files.map((f) => ({ f, size: fs.statSync(f.path).size })),
    Math.max(1, os.availableParallelism()),
    (x) => x.size,
  ).map((s) => s.map((x) => x.f));

/** `searched`: one worker a share. */
const searched = async (
  paths: ReadonlyArray<string>,
  workerPool: WorkerPoolModule,
): Promise<Counted & { threads: number; cells: number }> => {
  const shares = sharedOut(
    paths.map((path) => ({ path })),
    workerPool,
  ).map((s): Share => ({ kind: 'searched', paths: s.map((f) => f.path) }));
  const parts = await onWorkers<Searched>(shares);
  const cells = new Set(parts.flatMap((p) => [...p.cells.keys()]));
  return {
    lines: parts.reduce((n, p) => n + p.lines, 0),
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    threads: shares.length,
    cells: cells.size,
  };
};

/** `foldedShared`: one worker a share, each loading the folding code itself. */
const foldedShared = async (
  files: ReadonlyArray<RolloutFile>,
  workerPool: WorkerPoolModule,
): Promise<Counted & { threads: number; rows: number; loadSeconds: number[]; foldSeconds: number[] }> => {
  const shares = sharedOut(files, workerPool).map((s): Share => ({ kind: 'folded', files: s }));
  const parts = await onWorkers<Counted & { rows: number; loadSeconds: number; foldSeconds: number }>(shares);
  const sum = (k: 'lines' | 'bytes' | 'rows') => parts.reduce((n, p) => n + p[k], 0);
  // Each worker's time to load the folding code, and to fold its share.
  const seconds = (k: 'loadSeconds' | 'foldSeconds') => parts.map((p) => Math.round(p[k] * 1000) / 1000);
  return {
    lines: sum('lines'),
    bytes: sum('bytes'),
    rows: sum('rows'),
    threads: shares.length,
    loadSeconds: seconds('loadSeconds'),
    foldSeconds: seconds('foldSeconds'),
  };
};

const main = async (): Promise<void> => {
  const [home, modeArg = 'parsed'] = process.argv.slice(2);
  const mode = MODES.find((m) => m === modeArg);
  if (home === undefined || mode === undefined) {
    process.stderr.write(`usage: tokenLinesFloor <home> [${MODES.join('|')}]\n`);
    process.exit(2);
  }
  const t0 = process.hrtime.bigint();
  const [E, { discoverRolloutFiles }, { renderError }, tokenLines, workerPool] = await Promise.all([
    import('fp-ts/lib/Either.js'),
    import('../adapters/driven/jsonl/home/discover.js'),
    import('../domain/errors.js'),
    import('../adapters/driven/jsonl/readers/tokenLines.js'),
    import('../indexer/workers/workerPool.js'),
  ]);
  const files = await discoverRolloutFiles(home)();
  if (E.isLeft(files)) {
    process.stderr.write(`tokenLinesFloor: ${renderError(files.left)}\n`);
    process.exit(1);
  }
  const paths = files.right.map((f) => f.path);
  const counted =
    mode === 'searched'
      ? await searched(paths, workerPool)
      : mode === 'foldedShared'
        ? await foldedShared(files.right, workerPool)
        : mode === 'folded'
          ? { ...(await foldFiles(files.right, await loadFolding())), threads: 1 }
          : { ...scanned(paths, mode, tokenLines), threads: 1 };
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ mode, files: paths.length, ...counted, seconds })}\n`);
};

if (isMainThread) await main();
else {
  const share = workerData as Share;
  if (share.kind === 'searched') parentPort!.postMessage(searchShare(share));
  else {
    const t0 = process.hrtime.bigint();
    const folding = await loadFolding();
    const t1 = process.hrtime.bigint();
    const counted = await foldFiles(share.files, folding);
    parentPort!.postMessage({
      ...counted,
      loadSeconds: Number(t1 - t0) / 1e9,
      foldSeconds: Number(process.hrtime.bigint() - t1) / 1e9,
    });
  }
}

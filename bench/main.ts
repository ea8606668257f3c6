/**
 * `npm run bench -- <suite> [--json]`. Suites print one JSON document.
 *   corpus [--corpus DIR]   fidelity against ../shared/codex-oracle (decode→encode, thread/read goldens)
 *   index [--sizes 100MB,1GB] [--reps N]  index build MB/s and peak RSS vs a naive parse-and-fold baseline, per shape
 *   goldens [--corpus DIR]  every cold history golden (list/read/turns/items) asked of `rollout-engine serve`
 *   pages [--sizes 1MB,100MB,1GB] [--reps N] [--no-codex]   page latency vs thread size, naive baseline, codex beside
 *   pages --real-size 100MB [--engines A,B] [--reps N] [--no-codex]   the page targets on a real-shaped home's long threads and a whole fork of the paginated one, codex beside;
 *                           --engines: main.js of several builds timed on the same home (before/after)
 *   tokens [--files N] [--mb-per-file M] [--keep DIR]   token audit cold / warm on a ~2 GB home
 *   tokens --vs ccusage [--size 300MB] [--reps 5] [--ccusage VERSION]   beside ccusage (installed into the scratch folder): seconds, peak RSS, totals per day and model
 *   mutations [--gb N] [--runs N]  fork / rollback latency on a ~N GB thread (default 1), bytes written, copying baseline
 *   read [--size 200MB] [--reps 3] [--no-codex] [--threads long,largeOutputs]   thread/read includeTurns of huge legacy threads (small, large tool outputs): ours (serve) vs the real codex app-server, serve's peak RSS
 *   startup [--runs 7] [--engine CLI]   CLI start-up: bare node, --version, --help, a warm turns page, warm tokens (median wall seconds, CPU, peak RSS), serve to its first answers
 *   verify [--size 300MB] [--kill-at 0.5,0.75] [--rounds N]   verify / repair after an interrupted index vs index --rebuild: seconds, peak RSS
 *   scale [--sizes 0.3GB,1GB,3GB,10GB] [--rollouts 100000] [--max-file-kb 150] [--reps 20] [--no-codex] [--engine CLI]   how cost grows with the home: per point, cold index (s, MB/s, peak RSS), first and warm token report, first and warm thread/list, summary page, search, codex beside
 *   search [--size 300MB] [--reps 20] [--no-codex] [--baseline-engine PATH]   thread/search p50 per query vs codex; index build overhead and size vs a build without search
 *   serve [--size 300MB] [--reps N] [--no-codex] [--engine CLI]   a fresh serve: initialize, first thread/turns/list, CLI turns; warm thread/list vs codex
 *   eventstore [--size 20MB] [--reps 3]   the log in EventStoreDB (in-process test server): mirror, the catch-up subscription into a node's copy and its index, vs the JSONL index build
 *   serveLoad [--size 300MB] [--clients 200] [--seconds 15] [--rates 0,1500] [--no-codex] [--no-writer] [--engine CLI] [--seed N]   WebSocket clients in a 60/30/10 list/pages/read mix while a writer appends: req/s, p50/p99, errors, index lag; codex beside
 *   upstream [--size 1GB] [--reps 10] [--engine CLI]   what a real Codex client waits for (picker page, search, a turn's round trip): serve --upstream codex vs plain codex app-server, over WebSocket
 *   wild --corpus DIR [--out DIR] [--configs none,custom] [--limit N]   real users' rollouts (kept outside the repository) laid out as one home: answers equal to a cold codex app-server's, per method, version and client (bench/wildCorpus.ts)
 *   import [--size 500MB] [--reps 1]   a generated Claude Code session imported (rollout-engine import claude): seconds, MB/s, peak RSS; the ledger's re-import skip
 *   openBesideWriter [--runs 100] [--processes 6] [--engines DIST,DIST]   processes opening a fresh index while others commit: runs failed, runs whose rows were then wrong, builds side by side
 * `--shapes heavy,real` (default both, for the suites that take it: index, tokens, mutations, verify):
 * `heavy` is the generated data with large payloads; `real` is built from rollouts the real codex
 * writes, cloned to size (bench/realHome.ts), dominated by small lines as users' homes are.
 */
import * as nodePath from 'node:path';
import { runCorpus } from './corpus.js';
import { runGoldens } from './goldens.js';
import { runPagesBench, runRealPagesBench } from './pages.js';
import { runTokensBench } from './tokens.js';
import { runTokensVsCcusage } from './tokensVsCcusage.js';
import { runMutations } from './mutations.js';
import { runIndexBench } from './index.js';
import { runVerifyBench } from './verify.js';
import { runServeBench } from './serve.js';
import { runServeLoadBench } from './serveLoad.js';
import { runSeed } from '../test/fixtures/seededRandom.js';
import { runScaleBench } from './scale.js';
import { runReadBench } from './read.js';
import type { HugeThreadSource } from './realHome.js';
import { runStartupBench } from './startup.js';
import { runSearchBench } from './search.js';
import { runEventStoreBench } from './eventstore.js';
import { runImportBench } from './importSessions.js';
import { runUpstreamBench } from './upstream.js';
import { runWildCorpus } from './wildCorpus.js';
import { runOpenBesideWriter } from './openBesideWriter.js';
import type { BenchShape } from './realHome.js';
import { BUNDLED_CLI } from './bundledCli.js';

const args = process.argv.slice(2);
const suite = args[0] ?? 'corpus';
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** A comma list flag's values, each one of `known` (a value not known is refused with the known ones). */
const listFlag = <T extends string>(name: string, what: string, known: ReadonlyArray<T>): ReadonlyArray<T> => {
  const asked = (flag(name) ?? known.join(',')).split(',');
  const unknown = asked.filter((s) => !known.includes(s as T));
  if (unknown.length > 0) throw new Error(`unknown ${what} ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return asked as T[];
};

/** A flag's value as a whole number above zero (anything else refused, naming the flag). */
const positiveCount =
  (name: string) =>
  (s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: not a whole number above 0: ${s}`);
    return n;
  };

const SHAPES: ReadonlyArray<BenchShape> = ['heavy', 'real'];
const shapes = (): ReadonlyArray<BenchShape> => listFlag('--shapes', 'shape', SHAPES);

const HUGE_THREADS: ReadonlyArray<HugeThreadSource> = ['long', 'largeOutputs'];

const suites: Record<string, () => Promise<unknown>> = {
  openBesideWriter: () =>
    runOpenBesideWriter({
      runs: positiveCount('--runs')(flag('--runs') ?? '100'),
      processes: positiveCount('--processes')(flag('--processes') ?? '6'),
      engines: (flag('--engines') ?? '').split(',').filter((e) => e !== ''),
    }),
  corpus: () => runCorpus(flag('--corpus') ?? nodePath.resolve(process.cwd(), '../shared/codex-oracle')),
  index: () => runIndexBench((flag('--sizes') ?? '100MB,1GB').split(','), Number(flag('--reps') ?? 3), shapes()),
  pages: () => {
    const realSize = flag('--real-size');
    const engines = (flag('--engines') ?? '').split(',').filter((e) => e !== '');
    if (realSize !== undefined)
      return runRealPagesBench(
        engines.length > 0 ? engines.map((e) => nodePath.resolve(e)) : [BUNDLED_CLI],
        realSize,
        Number.parseInt(flag('--reps') ?? '50', 10),
        !args.includes('--no-codex'),
      );
    return runPagesBench(
      BUNDLED_CLI,
      (flag('--sizes') ?? '1MB,100MB,1GB').split(','),
      Number.parseInt(flag('--reps') ?? '50', 10),
      !args.includes('--no-codex'),
    );
  },
  goldens: () => runGoldens(flag('--corpus') ?? nodePath.resolve(process.cwd(), '../shared/codex-oracle'), BUNDLED_CLI),
  tokens: () => {
    if (flag('--vs') === 'ccusage')
      return runTokensVsCcusage({
        size: flag('--size') ?? '300MB',
        reps: Number.parseInt(flag('--reps') ?? '5', 10),
        ccusageVersion: flag('--ccusage') ?? '20.0.24',
        engine: nodePath.resolve(flag('--engine') ?? BUNDLED_CLI),
      });
    if (flag('--vs') !== undefined)
      throw new Error(`tokens --vs: ccusage is the one tool compared; got ${flag('--vs')}`);
    const keep = flag('--keep');
    return runTokensBench(
      {
        files: Number(flag('--files') ?? 1000),
        mbPerFile: Number(flag('--mb-per-file') ?? 2),
        ...(keep === undefined ? {} : { keep }),
      },
      shapes(),
    );
  },
  mutations: () => runMutations(Number(flag('--gb') ?? '1'), Number(flag('--runs') ?? '20'), shapes()),
  scale: () =>
    runScaleBench({
      engine: nodePath.resolve(flag('--engine') ?? BUNDLED_CLI),
      sizes: (flag('--sizes') ?? '0.3GB,1GB,3GB,10GB').split(',').filter((s) => s !== ''),
      rollouts: (flag('--rollouts') ?? '')
        .split(',')
        .filter((s) => s !== '')
        .map(positiveCount('--rollouts')),
      maxFileKb: positiveCount('--max-file-kb')(flag('--max-file-kb') ?? '150'),
      reps: positiveCount('--reps')(flag('--reps') ?? '20'),
      withCodex: !args.includes('--no-codex'),
    }),
  search: () =>
    runSearchBench(
      BUNDLED_CLI,
      flag('--baseline-engine') === undefined ? null : nodePath.resolve(flag('--baseline-engine')!),
      flag('--size') ?? '300MB',
      Number.parseInt(flag('--reps') ?? '20', 10),
      !args.includes('--no-codex'),
    ),
  serve: () =>
    runServeBench(
      flag('--size') ?? '300MB',
      Number.parseInt(flag('--reps') ?? '5', 10),
      !args.includes('--no-codex'),
      nodePath.resolve(flag('--engine') ?? BUNDLED_CLI),
    ),
  serveLoad: () =>
    runServeLoadBench(
      flag('--size') ?? '300MB',
      Number.parseInt(flag('--clients') ?? '200', 10),
      Number(flag('--seconds') ?? '15'),
      !args.includes('--no-codex'),
      nodePath.resolve(flag('--engine') ?? BUNDLED_CLI),
      !args.includes('--no-writer'),
      (flag('--rates') ?? '0,1500').split(',').map(Number),
      flag('--seed') === undefined ? runSeed('SERVE_LOAD_SEED') : Number(flag('--seed')) >>> 0,
    ),
  read: () =>
    runReadBench(
      BUNDLED_CLI,
      flag('--size') ?? '200MB',
      Number.parseInt(flag('--reps') ?? '3', 10),
      !args.includes('--no-codex'),
      listFlag('--threads', 'thread', HUGE_THREADS),
    ),
  startup: () =>
    runStartupBench(Number.parseInt(flag('--runs') ?? '7', 10), nodePath.resolve(flag('--engine') ?? BUNDLED_CLI)),
  eventstore: () => runEventStoreBench(flag('--size') ?? '20MB', Number.parseInt(flag('--reps') ?? '3', 10)),
  upstream: () =>
    runUpstreamBench(
      flag('--size') ?? '1GB',
      Number.parseInt(flag('--reps') ?? '10', 10),
      nodePath.resolve(flag('--engine') ?? BUNDLED_CLI),
    ),
  wild: () => {
    const corpus = flag('--corpus');
    if (corpus === undefined) throw new Error('wild: --corpus DIR (manifest.json and raw/) is required');
    const limit = flag('--limit');
    return runWildCorpus({
      corpus: nodePath.resolve(corpus),
      out: nodePath.resolve(flag('--out') ?? nodePath.join(corpus, 'out')),
      configs: (flag('--configs') ?? 'none,custom').split(','),
      ...(limit === undefined ? {} : { limit: Number.parseInt(limit, 10) }),
    });
  },
  import: () => runImportBench(flag('--size') ?? '500MB', Number.parseInt(flag('--reps') ?? '1', 10)),
  verify: () =>
    runVerifyBench(
      flag('--size') ?? '300MB',
      (flag('--kill-at') ?? '0.5,0.75').split(',').map(Number),
      Number(flag('--rounds') ?? '3'),
      shapes(),
    ),
};

const run = suites[suite];
if (!run) {
  process.stderr.write(`unknown bench suite: ${suite} (known: ${Object.keys(suites).join(', ')})\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);

// `npm run fuzz -- --seconds N [--seed S] [--replay <seed:path>] [--out DIR] [--max-shrinks K] [--no-edits]`: the differential
// fuzzer's long run (issue 69, item 1). Generates homes (test/fuzz/fuzzHome.ts), compares every
// history answer of a cold `codex app-server` and our `serve` on each (compareHome), and prints the
// figures: homes, answers compared, difference classes (explained, KNOWN-OPEN, unexplained). On an
// unexplained class it shrinks the home (bounded), prints the seed and fast-check path that replay
// it, writes the shrunk home to a folder it names, and goes on with the next seed until the time is
// up; a class once reported is counted, not failed on again. Exit 1 when any class was unexplained.
import fc from 'fast-check';
import { join } from 'node:path';
import { compatCodexVersion, stopAllAppServers } from '../test/compat/appServer.js';
import { FuzzSession, keepFailure, type ClassTally } from '../test/fuzz/fuzzSession.js';
import { describeHome } from '../test/fuzz/fuzzHome.js';

process.env['ROLLOUT_ENGINE_CODEX_VERSION'] ??= compatCodexVersion();

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const seconds = Number(option('--seconds') ?? 60);
const outDir = option('--out') ?? 'fuzz-failures';
const replay = option('--replay');
const maxShrinks = Number(option('--max-shrinks') ?? 30);

const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface Failure {
  readonly seed: number;
  readonly path: string;
  readonly classes: readonly string[];
  readonly dir: string;
}

const runSeed = async (
  seed: number,
  budgetMs: number,
  reported: Set<string>,
  path?: string,
): Promise<{ session: FuzzSession; failure?: Failure }> => {
  // A replay shows the home its path names, not a smaller one.
  const session = new FuzzSession({
    reported,
    maxShrinks: path === undefined ? maxShrinks : 0,
    edits: !args.includes('--no-edits'),
  });
  const details = await fc.check(session.property(path !== undefined), {
    seed,
    ...(path === undefined
      ? { numRuns: 1_000_000, interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false }
      : { path, numRuns: 1, endOnFailure: false }),
  });
  if (!details.failed || session.smallest === undefined) return { session };
  const failedPath = details.counterexamplePath ?? '';
  const dir = join(outDir, `seed-${seed}-path-${failedPath.replace(/:/g, '_')}`);
  const classes = session.smallest.outcome.unexplained;
  keepFailure(dir, session.smallest, `seed ${seed} path ${failedPath}: npm run fuzz -- --replay ${seed}:${failedPath}`);
  for (const c of classes) reported.add(c);
  return { session, failure: { seed, path: failedPath, classes, dir } };
};

const main = async (): Promise<number> => {
  const started = Date.now();
  const reported = new Set<string>();
  const failures: Failure[] = [];
  const total = { seeds: 0, homes: 0, answers: 0, shrinks: 0, unprojected: 0 };
  const classes = new Map<string, ClassTally>();
  const add = (session: FuzzSession): void => {
    total.homes += session.homes;
    total.answers += session.answers;
    total.shrinks += session.shrinks;
    total.unprojected += session.unprojected;
    for (const [cls, t] of session.classes) {
      const sum = classes.get(cls);
      if (sum === undefined) classes.set(cls, { ...t });
      else sum.homes += t.homes;
    }
  };
  if (replay !== undefined) {
    const [seed, ...path] = replay.split(':');
    const { session, failure } = await runSeed(Number(seed), 0, reported, path.join(':'));
    add(session);
    if (failure !== undefined) failures.push(failure);
    total.seeds = 1;
  } else {
    let seed = Number(option('--seed') ?? Math.floor(Math.random() * 2 ** 31));
    say(`fuzz: ${seconds} s from seed ${seed} (Codex ${compatCodexVersion()})`);
    while (Date.now() - started < seconds * 1000) {
      const { session, failure } = await runSeed(seed, seconds * 1000 - (Date.now() - started), reported);
      add(session);
      total.seeds += 1;
      if (failure !== undefined) {
        failures.push(failure);
        say(
          `FAIL seed ${failure.seed} path ${failure.path} (replay: npm run fuzz -- --replay ${failure.seed}:${failure.path})`,
        );
        for (const c of failure.classes) say(`  unexplained: ${c}`);
        say(`  shrunk home (${session.shrinks} shrink runs) in ${failure.dir}:`);
        for (const l of describeHome(session.smallest!.home).split('\n')) say(`    ${l}`);
      }
      seed = (seed + 1) >>> 0;
    }
  }
  const elapsed = Math.round((Date.now() - started) / 1000);
  say(
    `fuzz figures: ${elapsed} s, ${total.seeds} seeds, ${total.homes} homes, ${total.answers} answers compared, ${total.shrinks} shrink runs, ${total.unprojected} paginated threads Codex would not resume (their own steps not asked)`,
  );
  const sorted = [...classes].sort(([a], [b]) => a.localeCompare(b));
  const group = (title: string, rows: Array<[string, ClassTally]>, why: (t: ClassTally) => string): void => {
    say(`${title}: ${rows.length}`);
    for (const [cls, t] of rows) say(`  ${cls} — ${t.homes} homes${why(t)}`);
  };
  group(
    'explained difference classes',
    sorted.filter(([, t]) => t.declared !== undefined && t.declared.knownOpen === undefined),
    (t) => ` (${t.declared!.id}: ${t.declared!.docs})`,
  );
  group(
    'KNOWN-OPEN difference classes',
    sorted.filter(([, t]) => t.declared?.knownOpen !== undefined),
    (t) => ` (${t.declared!.id}: ${t.declared!.knownOpen})`,
  );
  group(
    'unexplained difference classes',
    sorted.filter(([, t]) => t.declared === undefined),
    () => '',
  );
  for (const f of failures) say(`failure: seed ${f.seed} path ${f.path} → ${f.dir} (${f.classes.join('; ')})`);
  return failures.length > 0 ? 1 : 0;
};

main()
  .then(async (code) => {
    await stopAllAppServers();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    await stopAllAppServers();
    process.exit(2);
  });

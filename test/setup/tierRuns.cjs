'use strict';
// `npm test`'s tiers, run by mocha processes of their own in parallel lanes, then one closing line
// for the run ("N passed, N failed", the line CI reads).
// - A process per tier, not one for all: one process held each suite's closures and what the
//   tests left reachable (a fast-check arbitrary's Map of 1.1 M code points, 58 MB): by the
//   reliability tier its heap passed a GB and it spent 95% of its time in V8's major GC.
// - Lanes: a tier's spec files are split into one shard per lane (balanced by the seconds
//   test/setup/specSeconds.json records per file; a file not listed weighs DEFAULT_SECONDS), and
//   the lanes run side by side, each its shards in tier order. One tier alone keeps 1.3 of 2 cores
//   busy (spawned CLIs and servers wait on each other); side by side they keep both. Files that
//   build the compat homes once per process (`sharedCompatHomes`) stay in one shard.
// - A shard's output is printed whole when it ends (lanes would interleave it line by line), after
//   a line when it starts.
// `node test/setup/tierRuns.cjs [tier ...]`: the tiers named (default all, in this order); the tier
// scripts of package.json run one each. ROLLOUT_ENGINE_TEST_LANES sets the lanes (default: the
// cores, at most 4). CommonJS: it runs before and without the compiler.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { tierOf } = require('./specTier.cjs');

const REPO = path.resolve(__dirname, '..', '..');
const DIST_TEST = path.join(REPO, 'dist', 'test');

/** Each tier's hang bound (its files: `tierOf`). */
const TIERS = {
  unit: { timeout: '120000' },
  int: { timeout: '120000' },
  compat: { timeout: '120000' },
  // Reliability's trials are longer: its hang bound is too.
  reliability: { timeout: '300000' },
};

/** What a spec file not in specSeconds.json is taken to weigh. */
const DEFAULT_SECONDS = 5;
const SPEC_SECONDS = JSON.parse(fs.readFileSync(path.join(__dirname, 'specSeconds.json'), 'utf8'));

const MOCHA = require.resolve('mocha/bin/mocha.js');
const HOOKS = [
  '--require',
  'dist/test/setup/codexSchemaHooks.js',
  '--require',
  'dist/test/setup/processesLeft.js',
  '--reporter',
  'test/setup/closingLineReporter.cjs',
];

/** Spec files under dist/test, relative to it, sorted (mocha's own order for a glob). */
const specFiles = (dir = DIST_TEST, rel = '') =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? specFiles(path.join(dir, e.name), `${rel}${e.name}/`)
        : e.name.endsWith('.spec.js')
          ? [`${rel}${e.name}`]
          : [],
    )
    .sort();

/** The files of a tier in units that stay together, heaviest first. */
const unitsOf = (files) => {
  const together = new Map();
  const units = [];
  for (const rel of files) {
    const seconds = SPEC_SECONDS[`test/${rel.replace(/\.js$/, '')}`] ?? DEFAULT_SECONDS;
    const text = fs.readFileSync(path.join(DIST_TEST, rel), 'utf8');
    const key = /\bsharedCompatHomes\(/.test(text) ? 'sharedCompatHomes' : undefined;
    const unit = key === undefined ? undefined : together.get(key);
    if (unit !== undefined) {
      unit.files.push(rel);
      unit.seconds += seconds;
    } else {
      const made = { files: [rel], seconds };
      units.push(made);
      if (key !== undefined) together.set(key, made);
    }
  }
  return units.sort((a, b) => b.seconds - a.seconds);
};

/** The last match of `re` in `text`, or undefined. */
const lastMatch = (text, re) => {
  let found;
  for (const m of text.matchAll(re)) found = m;
  return found;
};

/** Of each recap, at most this many characters: a failure's title and the head of its error. */
const RECAP_CHARS = 6000;

/**
 * Mocha's list of a shard's failures (from its "N failing" line to the reporter's closing lines),
 * repeated at the end of the run: CI keeps only the output's tail, which then names what failed.
 */
const failuresOf = (text) => {
  const start = lastMatch(text, /^ {2}\d+ failing$/gm);
  if (start === undefined) return '';
  const rest = text.slice(start.index);
  const end = rest.search(/^time by tier:/m);
  const block = (end < 0 ? rest : rest.slice(0, end)).trimEnd();
  return block.length > RECAP_CHARS
    ? `${block.slice(0, RECAP_CHARS)}\n  [… ${block.length - RECAP_CHARS} characters more, in the shard's output above]`
    : block;
};

const ARTIFACTS = path.join(REPO, 'test-artifacts');
/** Each file's seconds in this run, all shards: copied over specSeconds.json to refresh the weights. */
const SECONDS_MEASURED = path.join(ARTIFACTS, 'spec-seconds.json');
const shardId = (shard) => (shard.of > 1 ? `${shard.tier}.${shard.index}` : shard.tier);

/** One shard's mocha; its output printed whole when it ends; what its closing lines say. */
const runShard = (shard) =>
  new Promise((resolve) => {
    const start = Date.now();
    const name = shard.of > 1 ? `${shard.tier} ${shard.index}/${shard.of}` : shard.tier;
    const secondsFile = path.join(ARTIFACTS, `spec-seconds.${shardId(shard)}.json`);
    process.stdout.write(`\n[${name}: ${shard.files.length} spec files, started]\n`);
    fs.rmSync(secondsFile, { force: true });
    const child = spawn(
      process.execPath,
      [
        MOCHA,
        '--no-config',
        ...HOOKS,
        '--timeout',
        TIERS[shard.tier].timeout,
        ...shard.files.flatMap((f) => ['--spec', `dist/test/${f}`]),
      ],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          // Names its schema counts' file (codexSchemaHooks.ts), one per shard.
          ROLLOUT_ENGINE_TEST_TIER: shardId(shard),
          // Where the reporter writes each file's seconds (merged into SECONDS_MEASURED).
          ROLLOUT_ENGINE_SPEC_SECONDS: secondsFile,
        },
      },
    );
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(out).toString('utf8');
      const seconds = Math.round((Date.now() - start) / 1000);
      process.stdout.write(`\n[${name}: output, ${seconds} s]\n${text}`);
      if (err.length > 0) process.stderr.write(`[${name}: stderr]\n${Buffer.concat(err).toString('utf8')}`);
      const closing = lastMatch(text, /^(\d+) passed, (\d+) failed$/gm);
      const held = lastMatch(text, /^(\d+) tests: (\d+) ran, (\d+) skipped, (\d+) not run/gm);
      const schema = lastMatch(text, /^Codex schema: (\d+) answers .* and (\d+) notifications/gm);
      resolve({
        name,
        failures: failuresOf(text),
        secondsFile,
        seconds,
        // A process that ended without its closing line (killed, crashed) counts as one failure.
        passed: closing ? Number(closing[1]) : 0,
        failed: closing ? Number(closing[2]) : 1,
        held: held ? Number(held[1]) : 0,
        ran: held ? Number(held[2]) : 0,
        skipped: held ? Number(held[3]) : 0,
        notRun: held ? Number(held[4]) : 0,
        answers: schema ? Number(schema[1]) : 0,
        notifications: schema ? Number(schema[2]) : 0,
        ok: code === 0 && closing !== undefined,
        ended: signal ?? code,
      });
    });
  });

/** Each lane's shards, in tier order: every tier's units dealt heaviest first to the least loaded lane. */
const plan = (tiers, lanes) => {
  const all = specFiles();
  const load = Array.from({ length: lanes }, () => 0);
  const laneShards = Array.from({ length: lanes }, () => []);
  for (const tier of tiers) {
    const units = unitsOf(all.filter((rel) => tierOf(rel) === tier));
    const shards = Array.from({ length: lanes }, () => ({ tier, files: [] }));
    for (const unit of units) {
      const lane = load.indexOf(Math.min(...load));
      shards[lane].files.push(...unit.files);
      load[lane] += unit.seconds;
    }
    const used = shards.filter((s) => s.files.length > 0);
    used.forEach((s, i) => Object.assign(s, { index: i + 1, of: used.length }));
    shards.forEach((s, lane) => {
      if (s.files.length > 0) laneShards[lane].push({ ...s, files: s.files.sort() });
    });
  }
  return laneShards;
};

const main = async () => {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((t) => !(t in TIERS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown tier: ${unknown.join(', ')} (tiers: ${Object.keys(TIERS).join(', ')})\n`);
    process.exit(2);
  }
  const lanesSet = process.env['ROLLOUT_ENGINE_TEST_LANES'];
  const lanes = lanesSet !== undefined ? Number(lanesSet) : Math.min(os.availableParallelism(), 4);
  if (!Number.isInteger(lanes) || lanes < 1) {
    process.stderr.write(`ROLLOUT_ENGINE_TEST_LANES must be a whole number of lanes, 1 or more (got ${lanesSet})\n`);
    process.exit(2);
  }
  const tiers = asked.length > 0 ? asked : Object.keys(TIERS);
  const start = Date.now();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const runs = (
    await Promise.all(
      plan(tiers, lanes).map(async (shards) => {
        const done = [];
        for (const shard of shards) done.push(await runShard(shard));
        return done;
      }),
    )
  ).flat();
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  const measured = {};
  for (const r of runs) {
    try {
      Object.assign(measured, JSON.parse(fs.readFileSync(r.secondsFile, 'utf8')));
    } catch {
      // A shard that ended before its reporter wrote: its files keep no figure.
    }
  }
  fs.writeFileSync(SECONDS_MEASURED, `${JSON.stringify(measured, Object.keys(measured).sort(), 2)}\n`);
  for (const r of runs.filter((r) => r.failures !== '' || !r.ok))
    process.stdout.write(
      `\n[${r.name}: what failed]\n${r.failures !== '' ? r.failures : `  no list of failures: the process ended ${r.ended} without one`}\n`,
    );
  process.stdout.write(
    `\n${runs.length} mocha processes in ${lanes} lane${lanes === 1 ? '' : 's'}, ${Math.round((Date.now() - start) / 1000)} s: ` +
      `${runs.map((r) => `${r.name} ${r.seconds} s${r.ok ? '' : ` (ended ${r.ended})`}`).join(', ')}\n`,
  );
  process.stdout.write(
    `Codex schema, every tier: ${sum('answers')} answers and ${sum('notifications')} notifications of ours validated\n`,
  );
  process.stdout.write(
    `${sum('held')} tests: ${sum('ran')} ran, ${sum('skipped')} skipped, ${sum('notRun')} not run\n`,
  );
  process.stdout.write(`${sum('passed')} passed, ${sum('failed')} failed\n`);
  process.exitCode = runs.length > 0 && runs.every((r) => r.ok) && sum('failed') === 0 ? 0 : 1;
};

void main();

'use strict';
// `npm test`'s tiers, each run by a mocha process of its own, then one closing line for the run
// ("N passed, N failed", the line CI reads). One process for every tier held each suite's closures
// and what the tests left reachable (fast-check's arbitraries among them: one held a Map of 1.1 M
// code points, 58 MB): by the reliability tier its heap passed a GB and it spent most of its time
// in V8's major GC (perf: 95% marking and sweeping), so a race trial that takes 0.11 s alone took
// 1.2 s there and the run took 51 minutes. A tier's process starts with an empty heap.
// `node test/setup/tierRuns.cjs [tier ...]`: the tiers named (default all, in this order); the
// tier scripts of package.json run one each. CommonJS: it runs before and without the compiler.
const { spawn } = require('node:child_process');

const TIERS = {
  unit: ['--timeout', '120000', '--spec', 'dist/test/**/*.unit.spec.js'],
  int: ['--timeout', '120000', '--spec', 'dist/test/**/*.int.spec.js', '--ignore', 'dist/test/reliability/**'],
  compat: ['--timeout', '120000', '--spec', 'dist/test/**/*.compat.spec.js'],
  // Reliability's trials are longer: its hang bound is too.
  reliability: ['--timeout', '300000', '--spec', 'dist/test/reliability/**/*.spec.js'],
};

const MOCHA = require.resolve('mocha/bin/mocha.js');
const HOOKS = [
  '--require',
  'dist/test/setup/codexSchemaHooks.js',
  '--require',
  'dist/test/setup/processesLeft.js',
  '--reporter',
  'test/setup/closingLineReporter.cjs',
];

/** The last match of `re` in `text`, or undefined. */
const lastMatch = (text, re) => {
  let found;
  for (const m of text.matchAll(re)) found = m;
  return found;
};

/** One tier's mocha, its output passed through as it comes; what its closing lines say. */
const runTier = (tier) =>
  new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(process.execPath, [MOCHA, '--no-config', ...HOOKS, ...TIERS[tier]], {
      stdio: ['inherit', 'pipe', 'inherit'],
      // Names its schema counts' file (codexSchemaHooks.ts), one per tier.
      env: { ...process.env, ROLLOUT_ENGINE_TEST_TIER: tier },
    });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      // Enough to hold the closing lines, whatever a test printed before them.
      tail = (tail + chunk.toString('utf8')).slice(-16_384);
    });
    child.on('close', (code, signal) => {
      const closing = lastMatch(tail, /^(\d+) passed, (\d+) failed$/gm);
      const held = lastMatch(tail, /^(\d+) tests: (\d+) ran, (\d+) skipped, (\d+) not run/gm);
      const schema = lastMatch(tail, /^Codex schema: (\d+) answers .* and (\d+) notifications/gm);
      resolve({
        tier,
        seconds: Math.round((Date.now() - start) / 1000),
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

const main = async () => {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((t) => !(t in TIERS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown tier: ${unknown.join(', ')} (tiers: ${Object.keys(TIERS).join(', ')})\n`);
    process.exit(2);
  }
  const tiers = asked.length > 0 ? asked : Object.keys(TIERS);
  const runs = [];
  for (const tier of tiers) runs.push(await runTier(tier));
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  if (runs.length > 1) {
    process.stdout.write(
      `\ntiers, each in its own mocha process: ${runs.map((r) => `${r.tier} ${r.seconds} s${r.ok ? '' : ` (ended ${r.ended})`}`).join(', ')}\n`,
    );
    process.stdout.write(
      `Codex schema, every tier: ${sum('answers')} answers and ${sum('notifications')} notifications of ours validated\n`,
    );
    process.stdout.write(
      `${sum('held')} tests: ${sum('ran')} ran, ${sum('skipped')} skipped, ${sum('notRun')} not run\n`,
    );
    process.stdout.write(`${sum('passed')} passed, ${sum('failed')} failed\n`);
  }
  process.exitCode = runs.every((r) => r.ok) && sum('failed') === 0 ? 0 : 1;
};

void main();

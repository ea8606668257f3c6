'use strict';
// Mocha's spec output, closed by one plain line "N passed, N failed". CI reads a run's closing
// line to tell a run that executed tests from one that executed none; mocha's summary ("643
// passing (8m)") is not a line it knows, and a prefixed form ("mocha: N passed, …") was not taken
// either, so the last line is exactly that bare form and nothing follows it. The lines before it
// say how long each tier took (file-level suites, by the tier their file name gives: the root
// hooks' schema generation is "setup") and how many tests the run held, ran and skipped (the
// skipped are mocha's pending tests; under CI=true only those test/fixtures/skipUnmet.ts allows
// can be there): a failed hook counts once among the failed, and the tests under it never run,
// so "passed + failed" alone would not show them. CommonJS because mocha requires reporters.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');
const { tierOf } = require('./specTier.cjs');

const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } =
  Mocha.Runner.constants;

/** How long after the run the process may stay alive before the watchdog below ends it. */
const HELD_OPEN_MS = 60_000;

const seconds = (ms) => `${Math.round(ms / 1000)} s`;

class ClosingLineReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let ran = 0;
    let hookFailures = 0;
    let runStart = Date.now();
    const suiteStarts = new Map();
    const tierMs = new Map();
    const fileMs = new Map();
    runner.once(EVENT_RUN_BEGIN, () => (runStart = Date.now()));
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.parent !== undefined && suite.parent.root && suite.file) suiteStarts.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const start = suiteStarts.get(suite);
      if (start === undefined) return;
      const tier = tierOf(suite.file);
      tierMs.set(tier, (tierMs.get(tier) ?? 0) + Date.now() - start);
      fileMs.set(suite.file, (fileMs.get(suite.file) ?? 0) + Date.now() - start);
    });
    runner.on(EVENT_TEST_PASS, () => ran++);
    runner.on(EVENT_TEST_FAIL, (test) => (test.type === 'hook' ? hookFailures++ : ran++));
    // Registered after Spec's own listener, so the lines come after its summary.
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      const whole = Date.now() - runStart;
      const inTiers = [...tierMs.values()].reduce((sum, ms) => sum + ms, 0);
      const tiers = ['unit', 'int', 'compat', 'reliability', 'other']
        .filter((tier) => tierMs.has(tier))
        .map((tier) => `${tier} ${seconds(tierMs.get(tier))}`);
      process.stdout.write(
        `time by tier: ${[...tiers, `setup ${seconds(Math.max(0, whole - inTiers))}`].join(', ')}; ` +
          `mocha ${seconds(whole)}\n`,
      );
      // Each spec file's seconds, where tierRuns.cjs asks (the weights it splits a tier by).
      const secondsFile = process.env['ROLLOUT_ENGINE_SPEC_SECONDS'];
      if (secondsFile !== undefined)
        fs.writeFileSync(
          secondsFile,
          JSON.stringify(
            Object.fromEntries(
              [...fileMs].map(([file, ms]) => [
                path
                  .relative(process.cwd(), file)
                  .replace(/^dist[\\/]/, '')
                  .replace(/\\/g, '/')
                  .replace(/\.js$/, ''),
                Math.max(1, Math.round(ms / 1000)),
              ]),
            ),
          ),
        );
      const held = runner.total;
      const notRun = Math.max(0, held - ran - pending);
      process.stdout.write(
        `${held} tests: ${ran} ran, ${pending} skipped, ${notRun} not run` +
          (hookFailures > 0 ? ` (${hookFailures} hook${hookFailures === 1 ? '' : 's'} failed)` : '') +
          '\n',
      );
      process.stdout.write(`${passes} passed, ${failures} failed\n`);
      // A server or watcher a failed hook left open keeps node from exiting, and the run then
      // hangs until CI's own limit with no word of why. Unref'd, this timer never delays an exit;
      // it fires only when something else holds the process, names what does, and ends the run as
      // a failure, closed by the same line.
      const watchdog = setTimeout(() => {
        const holding = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
        process.stdout.write(
          `the run ended ${HELD_OPEN_MS / 1000} s ago and the process is still held open (${holding.join(', ') || 'nothing node names'}): a test left something open; ended here as a failure\n`,
        );
        process.stdout.write(`${passes} passed, ${failures + 1} failed\n`);
        // mocha's own exit listener sets the exit code from the failures it counted (0 here);
        // added after it, this one has the last word.
        process.on('exit', () => (process.exitCode = 1));
        process.exit(1);
      }, HELD_OPEN_MS);
      watchdog.unref();
    });
  }
}

module.exports = ClosingLineReporter;

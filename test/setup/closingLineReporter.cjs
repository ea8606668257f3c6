'use strict';
// Mocha's spec output, closed by one plain line "N passed, N failed, N skipped" (the skipped are
// mocha's pending tests; under CI=true only those test/fixtures/skipUnmet.ts allows can be there). CI reads a run's closing line to tell a run that
// executed tests from one that executed none; mocha's summary ("643 passing (8m)") is not a line
// it knows, and a prefixed form ("mocha: N passed, …") was not taken either, so the line is the
// bare form. The line before it says how many tests the run held and how many ran: a failed hook
// counts once among the failed, and the tests under it never run, so "passed + failed" alone
// would not show them. CommonJS because mocha requires reporters.
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class ClosingLineReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let ran = 0;
    let hookFailures = 0;
    runner.on(EVENT_TEST_PASS, () => ran++);
    runner.on(EVENT_TEST_FAIL, (test) => (test.type === 'hook' ? hookFailures++ : ran++));
    // Registered after Spec's own listener, so the lines come after its summary.
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      const held = runner.total;
      const notRun = Math.max(0, held - ran - pending);
      process.stdout.write(
        `${held} tests: ${ran} ran, ${pending} skipped, ${notRun} not run` +
          (hookFailures > 0 ? ` (${hookFailures} hook${hookFailures === 1 ? '' : 's'} failed)` : '') +
          '\n',
      );
      process.stdout.write(`${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = ClosingLineReporter;

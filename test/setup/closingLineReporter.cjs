'use strict';
// Mocha's spec output, closed by one plain line "N passed, N failed, N skipped" (the skipped are
// mocha's pending tests; under CI=true only those test/fixtures/skipUnmet.ts allows can be there). CI reads a run's closing line to tell a run that
// executed tests from one that executed none; mocha's summary ("643 passing (8m)") is not a line
// it knows, and a prefixed form ("mocha: N passed, …") was not taken either, so the line is the
// bare form. CommonJS because mocha requires reporters.
const Mocha = require('mocha');

class ClosingLineReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // Registered after Spec's own listener, so the line comes after its summary.
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = ClosingLineReporter;

'use strict';
// Mocha's spec output, closed by one plain line "mocha: N passed, N failed, N skipped".
// CI reads a run's closing line to tell a run that executed tests from one that executed none,
// and mocha's own summary ("643 passing (8m)") is not a line it knows. CommonJS because mocha
// requires reporters.
const Mocha = require('mocha');

class ClosingLineReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // Registered after Spec's own listener, so the line comes after its summary.
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`mocha: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = ClosingLineReporter;

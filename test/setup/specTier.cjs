'use strict';
// The tier a spec file belongs to, as docs/testing.md names them: read by the reporter (its time by
// tier) and by tierRuns.cjs (which files each tier's processes run). CommonJS: both run without the compiler.

/** The tier of a spec file (a path with at least the folder above it: `reliability/` is a folder). */
const tierOf = (file) =>
  /(?:^|[\\/])reliability[\\/]/.test(file)
    ? 'reliability'
    : /\.unit\.spec\.js$/.test(file)
      ? 'unit'
      : /\.compat\.spec\.js$/.test(file)
        ? 'compat'
        : /\.int\.spec\.js$/.test(file)
          ? 'int'
          : 'other';

module.exports = { tierOf };

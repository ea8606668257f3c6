import { fileURLToPath } from 'node:url';

/**
 * The CLI the benches run: the bundle users get (`dist/cli/main.js`, package.json's `bin`), which
 * `npm run bench` builds after tsc. dist/bench/bundledCli.js → dist/cli/main.js.
 */
export const BUNDLED_CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

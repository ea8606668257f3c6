// Bundle the CLI into dist/cli/ (run by `npm run build` after tsc, so `npm ci`, `npm link` and
// `npm pack` ship it; package.json's `bin` is dist/cli/main.js). A run of the tsc output loads
// ~200 of our modules and fp-ts's CommonJS files one by one, which was half of a warm `tokens`
// run; the bundle is a few files. Code splitting keeps the commands' `await import()`s lazy: each
// becomes a chunk, so `--help` still loads no engine. Packages with native code (or that load
// files of their own at run time) stay external and load from node_modules as before.
//
// Everything sits in one flat folder: the worker threads (indexWorker, tailWorker) are entry
// points beside the chunks, so `new URL('./indexWorker.js', import.meta.url)` finds them from
// whichever chunk holds the code that starts them. What is found from the package's root
// (package.json, dist/viewer) is looked up from there (adapters/driven/system/packageRoot.ts).
//
// Files are written only when their bytes change, each through a rename, so a process running
// the bundle while it is rebuilt (a test run, another shell) never reads half a file.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dist = nodePath.join(root, 'dist');
const out = nodePath.join(dist, 'cli');

/** Native code or files read beside their own modules: loaded from node_modules at run time. */
const EXTERNAL = [
  'lmdb',
  'msgpackr',
  'msgpackr-extract',
  'better-sqlite3',
  'bufferutil',
  'utf-8-validate',
  '@eventstore/db-client',
  '@grpc/grpc-js',
  'cli-progress',
  'prom-client',
  'tar',
];

// fp-ts and io-ts as ES modules (their `es6/` build) rather than `lib/` (CommonJS): the bundle
// then keeps only the functions used, and no CommonJS wrapper runs at start-up.
const esModulesOfFpTs = {
  name: 'fp-ts-es6',
  setup(b) {
    b.onResolve({ filter: /^(fp-ts|io-ts)(\/lib\/.*)?$/ }, (args) => {
      const [, pkg, sub] = /^(fp-ts|io-ts)(?:\/lib\/(.*?))?(?:\.js)?$/.exec(args.path);
      return { path: nodePath.join(root, 'node_modules', pkg, 'es6', `${sub ?? 'index'}.js`) };
    });
  },
};

// commander requires node:child_process when it loads, for executable subcommands, which this CLI
// has none of; compiling that builtin cost every run's start. Commander gets it on first use.
const lazyChildProcessForCommander = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'commander-lazy' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'commander-lazy' }, () => ({
      contents:
        "let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: {
    main: nodePath.join(dist, 'adapters', 'driving', 'cli', 'main.js'),
    indexWorker: nodePath.join(dist, 'indexer', 'workers', 'indexWorker.js'),
    tailWorker: nodePath.join(dist, 'adapters', 'driven', 'jsonl', 'workers', 'tailWorker.js'),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '[name]-[hash]',
  external: EXTERNAL,
  plugins: [esModulesOfFpTs, lazyChildProcessForCommander],
  // A CommonJS package bundled here that requires an external one (ws → bufferutil) needs `require`.
  banner: {
    js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);",
  },
  legalComments: 'none',
  sourcemap: false,
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  write: false,
});

fs.mkdirSync(out, { recursive: true });
const written = new Set();
for (const file of result.outputFiles) {
  written.add(file.path);
  const same = fs.existsSync(file.path) && Buffer.compare(fs.readFileSync(file.path), file.contents) === 0;
  if (same) continue;
  const tmp = `${file.path}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, file.contents, { mode: nodePath.basename(file.path) === 'main.js' ? 0o755 : 0o644 });
  fs.renameSync(tmp, file.path);
}
// Chunks of an earlier build that this one no longer has.
for (const name of fs.readdirSync(out))
  if (!written.has(nodePath.join(out, name))) fs.rmSync(nodePath.join(out, name), { force: true });

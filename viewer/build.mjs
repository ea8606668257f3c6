// Build the web viewer into dist/viewer/ (run by `npm run build`, so `npm ci` and `npm pack` ship it):
// type-check viewer/app with its own tsconfig (DOM, no node types), bundle it with esbuild (one
// script, no CDN, nothing fetched at run time) and copy the page and its style beside it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'viewer');

if (!process.argv.includes('--no-check'))
  execFileSync(
    process.execPath,
    [join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(here, 'tsconfig.json')],
    { stdio: 'inherit' },
  );
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'app', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'viewer.css']) copyFileSync(join(here, file), join(out, file));

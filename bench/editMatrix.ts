// `node dist/bench/editMatrix.js [--shapes legacy,paginated] [--keys REGEX] [--edges 0,1,2]`: the
// census edits as a matrix (test/fuzz/editMatrix.ts), one thread per cell, read by a cold Codex and
// by our serve (thread/read with turns, thread/turns/list); prints the cells whose answers differ,
// by census key and field, with the edge values that differ (issue 69: lines Codex cannot decode).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compatCodexVersion } from '../test/compat/appServer.js';
import { codexAnswer } from '../test/compat/codexAndOurs.js';
import { openColdCodex } from '../test/compat/compatHomes.js';
import { ENGINE_CLI_PATH } from '../test/compat/engineCli.js';
import { jsonDifferences } from '../test/compat/jsonDifferences.js';
import { spawnRpcServer } from '../test/fixtures/stdioRpcClient.js';
import { matrixCells, matrixHome, threadIdOf, type MatrixShape } from '../test/fuzz/editMatrix.js';
import { projectPaginated } from '../test/fuzz/fuzzSession.js';
import { renderHome } from '../test/fuzz/fuzzHome.js';

process.env['ROLLOUT_ENGINE_CODEX_VERSION'] ??= compatCodexVersion();
const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const shapes = (
  option('--shapes') ?? 'legacy,legacyAborted,legacyError,legacyRollback,paginated,paginatedAborted'
).split(',') as MatrixShape[];
const edges = option('--edges')?.split(',').map(Number);
const keys = option('--keys');

/** Drops what a cold read does not decide from the file's lines: recency (mtime, backfill) and times Codex stamps. */
const normalised = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(normalised)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v).flatMap(([k, x]) => (k === 'recencyAt' || k === 'path' ? [] : [[k, normalised(x)]])),
        )
      : typeof v === 'string'
        ? v.replace(/\/tmp\/[^ "]*?\/(home|work)/g, '<$1>')
        : v;

const main = async (): Promise<void> => {
  const cells = matrixCells(shapes, edges, keys === undefined ? undefined : new RegExp(keys));
  const root = mkdtempSync(join(tmpdir(), 'edit-matrix-'));
  const codexHome = join(root, 'home');
  const workDir = join(root, 'work');
  mkdirSync(workDir, { recursive: true });
  const { home, files } = matrixHome(cells, workDir);
  for (const f of files) {
    const path = join(codexHome, f.rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    utimesSync(path, new Date(f.mtimeMs), new Date(f.mtimeMs));
  }
  const threadIds = cells.map((_, i) => threadIdOf(i));
  process.stdout.write(`edit matrix: ${cells.length} cells in ${root}\n`);
  const started = Date.now();
  const unprojected = await projectPaginated(home, { codexHome, workDir, threadIds, files });
  process.stdout.write(`projected in ${Date.now() - started} ms (${unprojected.size} not projected)\n`);
  const codex = await openColdCodex({ codexHome, workDir }, renderHome(home, workDir).config);
  const ours = spawnRpcServer(
    process.execPath,
    [
      ENGINE_CLI_PATH,
      'serve',
      '--codex-home',
      codexHome,
      '--index-dir',
      join(root, 'index'),
      '--codex-version',
      compatCodexVersion(),
    ],
    {
      cwd: workDir,
      env: { ...process.env, HOME: join(root, 'user-home') },
    },
  );
  const differing: string[] = [];
  try {
    await ours.request('initialize', {
      clientInfo: { name: 'compat', version: '0' },
      capabilities: { experimentalApi: true },
    });
    ours.notify('initialized');
    for (const [i, cell] of cells.entries()) {
      const threadId = threadIdOf(i);
      const notes: string[] = [];
      for (const [method, params] of [
        ['thread/read', { threadId, includeTurns: true }],
        ['thread/turns/list', { threadId }],
      ] as const) {
        const [c, o] = await Promise.all([codexAnswer(codex.server, method, params), ours.request(method, params)]);
        const d = jsonDifferences(normalised(c), normalised(o), 3);
        if (d.length > 0)
          notes.push(
            `${method} ${d.map((x) => `${x.path}: ${JSON.stringify(x.expected)?.slice(0, 60)} vs ${JSON.stringify(x.actual)?.slice(0, 60)}`).join('; ')}`,
          );
      }
      if (notes.length > 0)
        differing.push(
          `${cell.name}${unprojected.has(threadId) ? ' (not projected)' : ''}\n    ${notes.join('\n    ')}`,
        );
    }
  } finally {
    await ours.close();
    await codex.stop();
  }
  process.stdout.write(`${differing.length}/${cells.length} cells differ\n${differing.join('\n')}\n`);
  if (args.includes('--keep')) process.stdout.write(`kept ${root}\n`);
  else rmSync(root, { recursive: true, force: true });
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

// ARCHITECTURE.md is a map, not an inventory: what it claims is held to the tree. Every path it names
// exists, its layer table is what eslint.config.js enforces (checked by linting an import from each
// folder into each other), and it stays short enough to read.
import { expect } from 'chai';
import type { ESLint } from 'eslint';
import { syntaxOnlyLinter } from '../lint/syntaxOnlyLinter.js';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAP = nodePath.join(REPO, 'ARCHITECTURE.md');
const MAX_LINES = 400;
/** A table cell of thousands of characters is an inventory; a line of the map stays readable. */
const MAX_LINE_CHARS = 200;
/** Folders that are no part of the source tree. */
const NOT_SOURCE = new Set(['node_modules', 'dist', '.git']);

/** The code spans of a markdown text outside fenced blocks, and its link targets. */
const codeSpans = (markdown: string): ReadonlyArray<string> =>
  [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
const linkTargets = (markdown: string): ReadonlyArray<string> =>
  [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));

const FILE_EXTENSION = /\.(?:ts|mjs|cjs|js|json|md|html|css|sh)$/;

/**
 * The paths a text claims: code spans that are a folder (`replay/internal/`) or a file
 * (`adapters/driving/rpc/server.ts`, `server.ts`), and relative links. Method names (`thread/read`),
 * placeholders (`<family>`, `NNN-name.ts`), a home's paths (`CODEX_HOME/...`, `sessions/...`) and
 * build output (`dist/`) are not claims about the tree.
 */
export const pathClaims = (markdown: string): ReadonlyArray<string> =>
  [
    ...codeSpans(markdown).filter(
      (s) =>
        /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*\/?$/.test(s) &&
        (s.endsWith('/') || FILE_EXTENSION.test(s)) &&
        !/^(?:dist|sessions|archived_sessions)\//.test(s) &&
        !/NNN|YYYY/.test(s) &&
        /^[a-z.]/.test(s),
    ),
    ...linkTargets(markdown),
  ].filter((s, i, all) => all.indexOf(s) === i);

/** Every source file and folder of the repo, relative, folders with a trailing slash. */
const treeOf = (root: string): ReadonlySet<string> => {
  const out = new Set<string>();
  const walk = (rel: string): void => {
    for (const d of fs.readdirSync(nodePath.join(root, rel), { withFileTypes: true })) {
      if (NOT_SOURCE.has(d.name)) continue;
      const p = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) {
        out.add(`${p}/`);
        walk(p);
      } else out.add(p);
    }
  };
  walk('');
  return out;
};

/** The claims that name nothing in the tree: a path from the repo root, or a bare file name no file has. */
export const missingPaths = (claims: ReadonlyArray<string>, tree: ReadonlySet<string>): ReadonlyArray<string> =>
  claims.filter((c) => {
    const p = c.replace(/^\.\//, '');
    if (tree.has(p)) return false;
    if (!p.includes('/')) return ![...tree].some((t) => t.endsWith(`/${p}`));
    return true;
  });

/** The claims of a folder's README that name nothing: a path from its folder, from the repo root, or a file name some file has. */
export const missingFromReadme = (
  folder: string,
  claims: ReadonlyArray<string>,
  tree: ReadonlySet<string>,
): ReadonlyArray<string> =>
  missingPaths(claims, tree).filter(
    (c) =>
      !tree.has(nodePath.posix.normalize(`${folder}${c}`)) &&
      !tree.has(`${nodePath.posix.normalize(`${folder}${c}`)}/`),
  );

/** A folder's README says what is in it in a few lines, not file by file. */
const README_MAX_LINES = 40;

/** One row of the map's layer table: a folder, whether it is pure, the folders it may import. */
export interface LayerRow {
  readonly folder: string;
  readonly pure: boolean;
  readonly mayImport: ReadonlyArray<string>;
}

/** The rows between `<!-- layers -->` and `<!-- /layers -->`. */
export const layerRows = (markdown: string): ReadonlyArray<LayerRow> => {
  const block = /<!-- layers -->([\s\S]*?)<!-- \/layers -->/.exec(markdown)?.[1];
  if (block === undefined) return [];
  return block
    .split('\n')
    .map((line) => line.split('|').map((c) => c.trim()))
    .filter((cells) => cells.length >= 5 && /^`[^`]+\/`$/.test(cells[1]!))
    .map((cells) => ({
      folder: cells[1]!.slice(1, -1),
      pure: cells[2] === 'yes',
      mayImport: [...cells[3]!.matchAll(/`([^`]+\/)`/g)].map((m) => m[1]!),
    }));
};

const hasTs = (dir: string): boolean => fs.readdirSync(nodePath.join(REPO, dir)).some((f) => f.endsWith('.ts'));
const subfolders = (dir: string): ReadonlyArray<string> =>
  fs
    .readdirSync(nodePath.join(REPO, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_SOURCE.has(d.name))
    .map((d) => `${dir}${d.name}/`);
/** `dir` and every folder below it that holds .ts files. */
const tsFoldersUnder = (dir: string): ReadonlyArray<string> => [
  ...(hasTs(dir) ? [dir] : []),
  ...subfolders(dir).flatMap(tsFoldersUnder),
];

/**
 * The folders an import can land in, as finely as the table speaks: the top-level folders holding
 * TypeScript, a folder split into its subfolders wherever the table names something inside it.
 */
const importTargets = (rows: ReadonlyArray<LayerRow>): ReadonlyArray<string> => {
  const named = rows.flatMap((r) => [r.folder, ...r.mayImport]);
  const expand = (dir: string): ReadonlyArray<string> =>
    named.some((n) => n !== dir && n.startsWith(dir))
      ? [...(hasTs(dir) ? [dir] : []), ...subfolders(dir).flatMap(expand)]
      : tsFoldersUnder(dir).length > 0
        ? [dir]
        : [];
  return subfolders('')
    .filter((d) => !d.startsWith('.'))
    .flatMap(expand);
};

/** What lint says of one import into `target` from a file of `from`: refused or not. */
const refusedByLint = async (eslint: ESLint, from: string, specifier: string): Promise<boolean> => {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, {
    filePath: nodePath.join(REPO, from, '__architectureProbe__.ts'),
  });
  // A probe lint could not parse says nothing of the rules: it fails the test, never passes as "allowed".
  const fatal = result!.messages.filter((m) => m.fatal === true).map((m) => m.message);
  if (fatal.length > 0) throw new Error(`lint could not read the probe in ${from}: ${fatal.join('; ')}`);
  return result!.messages.some(
    (m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports',
  );
};

const relativeSpecifier = (from: string, target: string): string => {
  const rel = nodePath.posix.relative(from.replace(/\/$/, ''), `${target}__probeTarget__.js`);
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/** Where the table and the lint config disagree: one line per import (or IO import) the two judge differently. */
export const layerMismatches = async (
  eslint: ESLint,
  rows: ReadonlyArray<LayerRow>,
): Promise<ReadonlyArray<string>> => {
  const targets = importTargets(rows);
  const out: string[] = [];
  for (const row of rows) {
    if (!fs.existsSync(nodePath.join(REPO, row.folder))) {
      out.push(`${row.folder}: no such folder`);
      continue;
    }
    for (const from of tsFoldersUnder(row.folder)) {
      for (const io of ['node:fs', 'lmdb']) {
        const refused = await refusedByLint(eslint, from, io);
        if (refused !== row.pure)
          out.push(
            `${from} → ${io}: the map says ${row.pure ? 'pure' : 'not pure'}, lint ${refused ? 'refuses' : 'lets'} it`,
          );
      }
      for (const target of targets) {
        if (target.startsWith(row.folder) || row.folder.startsWith(target)) continue;
        const allowed = row.mayImport.some((m) => target.startsWith(m));
        const refused = await refusedByLint(eslint, from, relativeSpecifier(from, target));
        if (refused === allowed)
          out.push(
            `${from} → ${target}: the map says ${allowed ? 'allowed' : 'not allowed'}, lint ${refused ? 'refuses' : 'lets'} it`,
          );
      }
    }
  }
  return out;
};

describe('ARCHITECTURE.md: a map held to the tree', function () {
  this.timeout(300_000);
  const map = fs.readFileSync(MAP, 'utf8');
  const tree = treeOf(REPO);
  let eslint: ESLint;
  before(() => {
    eslint = syntaxOnlyLinter(REPO);
  });

  it(`stays under ${MAX_LINES} lines, none over ${MAX_LINE_CHARS} characters`, () => {
    const lines = map.split('\n');
    expect(lines.length, 'lines').to.be.at.most(MAX_LINES);
    expect(
      lines.filter((l) => l.length > MAX_LINE_CHARS).map((l) => `${l.slice(0, 60)}… (${l.length})`),
      'long lines',
    ).to.deep.equal([]);
  });

  it('every path it names exists (a folder, a file from the repo root, or a file name some file has)', () => {
    const claims = pathClaims(map);
    // A guard that the claims were found at all.
    expect(claims.length, 'paths named').to.be.above(50);
    expect(missingPaths(claims, tree)).to.deep.equal([]);
  });

  it('its layer table is what eslint.config.js enforces: each row linted from each of its folders into every other folder, and for IO', async () => {
    const rows = layerRows(map);
    expect(
      rows.map((r) => r.folder),
      'rows',
    ).to.include.members(['domain/', 'projections/', 'protocol/', 'replay/', 'migrations/', 'indexer/']);
    expect(await layerMismatches(eslint, rows)).to.deep.equal([]);
  });

  it(`each top-level source folder has a README.md of at most ${README_MAX_LINES} lines, and every path a folder's README names exists`, () => {
    const topLevel = subfolders('').filter((d) => !d.startsWith('.') && tsFoldersUnder(d).length > 0);
    expect(topLevel.length, 'top-level source folders').to.be.above(5);
    expect(
      topLevel.filter((d) => !tree.has(`${d}README.md`)),
      'folders without a README.md',
    ).to.deep.equal([]);
    const readmes = [...tree].filter((p) => p.endsWith('/README.md'));
    expect(
      readmes.filter((r) => fs.readFileSync(nodePath.join(REPO, r), 'utf8').split('\n').length > README_MAX_LINES),
      'READMEs over the bound',
    ).to.deep.equal([]);
    const missing = readmes.flatMap((r) => {
      const folder = r.slice(0, -'README.md'.length);
      return missingFromReadme(folder, pathClaims(fs.readFileSync(nodePath.join(REPO, r), 'utf8')), tree).map(
        (c) => `${r}: ${c}`,
      );
    });
    expect(missing).to.deep.equal([]);
  });

  it('finds a planted false claim: a missing path, a layer allowed what lint refuses, a pure layer that is not (so the tests above can fail)', async () => {
    const planted = [
      'The reader is `adapters/jsonl/noSuchReader.ts`, beside `noSuchFile.ts` in `replay/noSuchFolder/`; see [it](docs/noSuch.md).',
      '<!-- layers -->',
      '| folder | pure | may import |',
      '|---|---|---|',
      '| `domain/` | yes | `protocol/` |',
      '| `replay/` | no | `domain/`, `projections/`, `protocol/`, `migrations/` |',
      '<!-- /layers -->',
    ].join('\n');
    expect(missingPaths(pathClaims(planted), tree)).to.deep.equal([
      'adapters/jsonl/noSuchReader.ts',
      'noSuchFile.ts',
      'replay/noSuchFolder/',
      'docs/noSuch.md',
    ]);
    // A README's paths from its own folder: `internal/openThread.ts` holds in replay/, not in domain/.
    expect(missingFromReadme('replay/', ['internal/openThread.ts', 'internal/noSuch.ts'], tree)).to.deep.equal([
      'internal/noSuch.ts',
    ]);
    expect(missingFromReadme('domain/', ['internal/openThread.ts'], tree)).to.deep.equal(['internal/openThread.ts']);
    const mismatches = await layerMismatches(eslint, layerRows(planted));
    expect(mismatches.filter((m) => m.startsWith('domain/ → protocol/'))).to.deep.equal([
      'domain/ → protocol/: the map says allowed, lint refuses it',
    ]);
    expect(
      mismatches.filter((m) => m.startsWith('replay/') && m.includes('node:fs')).length,
      'replay/ said not pure',
    ).to.be.above(0);
  });
});

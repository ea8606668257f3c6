// ARCHITECTURE.md is read by whoever inherits the code: where a test can hold it to the tree, it does.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ARCHITECTURE = fs.readFileSync(nodePath.join(REPO, 'ARCHITECTURE.md'), 'utf8');

/** The cells of the folders table's row for `folder`. */
const rowOf = (folder: string): string => {
  const row = ARCHITECTURE.split('\n').find((line) => line.startsWith(`| \`${folder}\` |`));
  expect(row, `ARCHITECTURE.md's folders table has no row for ${folder}`).to.not.equal(undefined);
  return row!;
};

/** The code names in a text (`name`), one word each, starting lower-case: the files and functions it names. */
const codeNames = (text: string): ReadonlySet<string> => new Set([...text.matchAll(/`([a-z][A-Za-z0-9]*)`/g)].map((m) => m[1]!));

describe('ARCHITECTURE.md: held to the tree', () => {
  it('names every use case in replay/ (one operation per file), and names none that is not there', () => {
    const useCases = fs
      .readdirSync(nodePath.join(REPO, 'replay'))
      .filter((f) => f.endsWith('.ts') && f !== 'ports.ts')
      .map((f) => f.slice(0, -3));
    const named = codeNames(rowOf('replay/'));
    expect(
      useCases.filter((u) => !named.has(u)),
      'use cases ARCHITECTURE.md does not name',
    ).to.deep.equal([]);
    expect(
      [...named].filter((n) => !useCases.includes(n)),
      'names in the replay/ row that are no use case',
    ).to.deep.equal([]);
  });

  it('gives each source folder a row: the top-level ones and each adapter', () => {
    const firstCells = ARCHITECTURE.split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split(' | ')[0]!)
      .join(' ');
    const folders = ['domain', 'projections', 'protocol', 'replay', 'indexer', 'migrations', 'test', 'bench', 'docs', 'viewer'].filter((f) =>
      fs.existsSync(nodePath.join(REPO, f)),
    );
    const adapters = fs
      .readdirSync(nodePath.join(REPO, 'adapters'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `adapters/${d.name}`);
    expect(
      [...folders, ...adapters].filter((f) => !firstCells.includes(`\`${f}/\``)),
      'folders without a row',
    ).to.deep.equal([]);
  });
});

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
  it('names every use case in replay/ (one operation per file, in its capability folder), and names none that is not there', () => {
    const replay = nodePath.join(REPO, 'replay');
    const folders = fs
      .readdirSync(replay, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'internal')
      .map((d) => d.name);
    // Only the ports and the helpers' folder sit beside the capability folders.
    expect(fs.readdirSync(replay).filter((f) => f !== 'ports.ts' && f !== 'internal' && !folders.includes(f))).to.deep.equal([]);
    const row = rowOf('replay/');
    for (const folder of folders) expect(row, `the replay/ row does not name the folder ${folder}/`).to.include(`\`${folder}/\` (`);
    const useCases = folders.flatMap((folder) =>
      fs
        .readdirSync(nodePath.join(replay, folder))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.slice(0, -3)),
    );
    const named = codeNames(row);
    expect(
      useCases.filter((u) => !named.has(u)),
      'use cases ARCHITECTURE.md does not name',
    ).to.deep.equal([]);
    expect(
      [...named].filter((n) => !useCases.includes(n)),
      'names in the replay/ row that are no use case',
    ).to.deep.equal([]);
  });

  it('gives each source folder a row: the top-level ones and each adapter (adapters/driving/x, adapters/driven/x)', () => {
    const firstCells = ARCHITECTURE.split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split(' | ')[0]!)
      .join(' ');
    const folders = ['domain', 'projections', 'protocol', 'replay', 'indexer', 'migrations', 'test', 'bench', 'docs', 'viewer'].filter((f) =>
      fs.existsSync(nodePath.join(REPO, f)),
    );
    const subfolders = (dir: string): string[] =>
      fs
        .readdirSync(nodePath.join(REPO, dir), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${dir}/${d.name}`);
    const adapters = subfolders('adapters').flatMap(subfolders);
    expect(
      [...folders, ...adapters].filter((f) => !firstCells.includes(`\`${f}/\``)),
      'folders without a row',
    ).to.deep.equal([]);
  });
});

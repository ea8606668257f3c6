import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root: the nearest folder above this file (which runs from dist/test/lint/) holding package.json and ARCHITECTURE.md. */
const findRoot = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'ARCHITECTURE.md')))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json with ARCHITECTURE.md above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
};

/**
 * Relative imports and re-exports of a module (type-only ones included: a cycle of types is a cycle
 * of concepts), and its dynamic imports of a literal relative path (`import('./x.js')`, as a value or
 * in a type: a module loaded later is still a module it depends on).
 */
const importsOf = (file: string, source: string): string[] =>
  [
    ...[...source.matchAll(/^(?:import|export)\b[^'"]*?\bfrom\s+'(\.{1,2}\/[^']+)\.js'/gm)].map((m) => m[1]!),
    ...[...source.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)\.js'\s*\)/g)].map((m) => m[1]!),
  ].map((relative) => path.join(path.dirname(file), `${relative}.ts`));

/** Every group of modules that import each other round a cycle (Tarjan's strongly connected components of size > 1, or a self-import). */
const importCycles = (sources: ReadonlyMap<string, string>): string[][] => {
  const graph = new Map([...sources].map(([f, s]) => [f, importsOf(f, s).filter((d) => sources.has(d))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || graph.get(v)!.includes(v)) cycles.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
};

const tsFilesUnder = (root: string, dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFilesUnder(root, path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );

describe('import graph', () => {
  it('has no import cycle anywhere in the source tree', () => {
    const root = findRoot();
    const files = ['domain', 'projections', 'protocol', 'replay', 'indexer', 'adapters', 'migrations', 'bench', 'test'].flatMap((d) => tsFilesUnder(root, d));
    expect(files.length).to.be.greaterThan(200);
    const cycles = importCycles(new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')])));
    expect(cycles, cycles.map((c) => c.join(' -> ')).join('\n')).to.deep.equal([]);
  });

  it('finds a cycle when there is one (type-only, multi-line and dynamic imports included)', () => {
    const sources = new Map([
      ['adapters/a/one.ts', "import { two } from './two.js';\nexport const one = two;\n"],
      ['adapters/a/two.ts', "import type {\n  Three,\n} from '../b/three.js';\nexport const two = 2;\n"],
      ['adapters/b/three.ts', "export type { One } from '../a/one.js';\nexport type Three = 3;\n"],
      ['adapters/b/four.ts', "import { one } from '../a/one.js';\nexport const four = one;\n"],
      ['adapters/c/command.ts', "export const LIMIT = 20;\nexport const run = async () => (await import('../d/action.js')).action();\n"],
      ['adapters/d/action.ts', "import { LIMIT } from '../c/command.js';\nexport const action = () => LIMIT;\n"],
      ['adapters/e/later.ts', "export let loaded: Promise<typeof import('./typed.js')> | undefined;\n"],
      ['adapters/e/typed.ts', "import type { loaded } from './later.js';\nexport type Typed = typeof loaded;\n"],
      ['adapters/f/elsewhere.ts', "const one = '../a/one.js';\nexport const f = () => import(one);\nexport const g = () => import('node:fs');\n"],
    ]);
    expect(importCycles(sources)).to.deep.equal([
      ['adapters/a/one.ts', 'adapters/a/two.ts', 'adapters/b/three.ts'],
      ['adapters/c/command.ts', 'adapters/d/action.ts'],
      ['adapters/e/later.ts', 'adapters/e/typed.ts'],
    ]);
  });
});

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findRoot, importsOf, tsFilesUnder } from './importGraph.js';

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

describe('import graph', () => {
  it('has no import cycle anywhere in the source tree', () => {
    const root = findRoot();
    const files = [
      'domain',
      'projections',
      'protocol',
      'replay',
      'indexer',
      'adapters',
      'migrations',
      'bench',
      'test',
    ].flatMap((d) => tsFilesUnder(root, d));
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
      [
        'adapters/c/command.ts',
        "export const LIMIT = 20;\nexport const run = async () => (await import('../d/action.js')).action();\n",
      ],
      ['adapters/d/action.ts', "import { LIMIT } from '../c/command.js';\nexport const action = () => LIMIT;\n"],
      ['adapters/e/later.ts', "export let loaded: Promise<typeof import('./typed.js')> | undefined;\n"],
      ['adapters/e/typed.ts', "import type { loaded } from './later.js';\nexport type Typed = typeof loaded;\n"],
      [
        'adapters/f/elsewhere.ts',
        "const one = '../a/one.js';\nexport const f = () => import(one);\nexport const g = () => import('node:fs');\n",
      ],
    ]);
    expect(importCycles(sources)).to.deep.equal([
      ['adapters/a/one.ts', 'adapters/a/two.ts', 'adapters/b/three.ts'],
      ['adapters/c/command.ts', 'adapters/d/action.ts'],
      ['adapters/e/later.ts', 'adapters/e/typed.ts'],
    ]);
  });
});

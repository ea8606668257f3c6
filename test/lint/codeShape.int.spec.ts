import { expect } from 'chai';
import { findRoot } from './importGraph.js';
import { codeShape, shapeOf } from './codeShape.js';

describe('code shape: no file over 400 lines, no function over 80, without a reason in its header', function () {
  this.timeout(120_000);
  it('every file and function of the engine, the viewer and the benches over its bound says why (`long: <why>`)', () => {
    const { files, functions } = codeShape(findRoot());
    const unexplained = [
      ...files.filter((f) => f.reason === undefined).map((f) => `${f.file}: ${f.lines} lines`),
      ...functions.filter((f) => f.reason === undefined).map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`),
    ];
    expect(unexplained, unexplained.join('\n')).to.deep.equal([]);
  });

  it('finds a long file and long functions (declared, arrow, method), and reads a reason where the header states one', () => {
    const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const source = [
      '// long: a test file',
      "import { x } from './x.js';",
      `export function declared(): void {\n${body(81)}\n}`,
      `/** An arrow. */\nexport const arrow = (): void => {\n${body(81)}\n};`,
      `/**\n * An arrow with a reason.\n * long: one table\n */\nexport const explained = (): void => {\n${body(81)}\n};`,
      `class C {\n  method(): void {\n${body(81)}\n  }\n}`,
      `export const short = (): void => {\n${body(78)}\n};`,
      `export const wrapped = (deps: number) => useCase(async (q: number) => {\n${body(81)}\n});`,
      ...Array.from({ length: 80 }, () => '// filler'),
    ].join('\n');
    const { longFile, longFunctions } = shapeOf('probe.ts', source);
    expect(longFile?.reason).to.equal('a test file');
    expect(longFunctions.map((f) => [f.name, f.lines, f.reason])).to.deep.equal([
      ['declared', 83, undefined],
      ['arrow', 83, undefined],
      ['explained', 83, 'one table'],
      ['method', 83, undefined],
      ['wrapped', 83, undefined],
    ]);
    expect(shapeOf('probe.ts', source.replace('// long: a test file\n', '')).longFile?.reason).to.equal(undefined);
  });
});

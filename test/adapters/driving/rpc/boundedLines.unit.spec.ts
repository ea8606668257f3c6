import { expect } from 'chai';
import { Readable } from 'node:stream';
import { boundedLines } from '../../../../adapters/driving/rpc/boundedLines.js';
import type { InputLine } from '../../../../adapters/driving/rpc/boundedLines.js';

/** The lines read, each line's bytes decoded to compare. */
const linesOf = async (
  chunks: ReadonlyArray<string>,
  max: number,
): Promise<Array<{ kind: 'line'; text: string } | Exclude<InputLine, { kind: 'line' }>>> => {
  const out: Array<{ kind: 'line'; text: string } | Exclude<InputLine, { kind: 'line' }>> = [];
  for await (const l of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c, 'utf8'))), max))
    out.push(l.kind === 'line' ? { kind: 'line', text: l.bytes.toString('utf8') } : l);
  return out;
};

describe('boundedLines: the lines of a byte stream, at most maxBytes of one held', () => {
  it('splits on \\n and \\r\\n across chunk boundaries (multi-byte characters included), with a last line without its newline', async () => {
    expect(await linesOf(['{"a":', '1}\n{"b":"ü', '"}\r\n', '', 'last'], 100)).to.deep.equal([
      { kind: 'line', text: '{"a":1}' },
      { kind: 'line', text: '{"b":"ü"}' },
      { kind: 'line', text: 'last' },
    ]);
  });

  it('reports an oversized line by its size and goes on with the next, whichever chunk it ends in', async () => {
    expect(await linesOf(['ok\n', 'x'.repeat(6), 'x'.repeat(6), 'x\nnext\n', 'y'.repeat(11)], 10)).to.deep.equal([
      { kind: 'line', text: 'ok' },
      { kind: 'tooLong', bytes: 13 },
      { kind: 'line', text: 'next' },
      { kind: 'tooLong', bytes: 11 },
    ]);
    expect(await linesOf(['exactly10!\n'], 10)).to.deep.equal([{ kind: 'line', text: 'exactly10!' }]);
  });
});

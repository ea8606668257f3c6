import { expect } from 'chai';
import * as fc from 'fast-check';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { PassThrough, Writable } from 'node:stream';
import { writeJsonLine } from '../../../../adapters/driving/rpc/streamedJson.js';
import { serveJsonRpc } from '../../../../adapters/driving/rpc/server.js';
import { adHocMethod } from '../../../fixtures/adHocMethod.js';
import { initialize } from '../../../../adapters/driving/rpc/methods/initialize.js';
import { corrupt } from '../../../../domain/errors.js';
import type { Turn } from '../../../../domain/thread/turn.js';
import { RenderedTurns, turnValues } from '../../../../domain/thread/turn.js';
import type { ThreadManagementPorts } from '../../../../replay/ports.js';
import { streamedText } from '../../../fixtures/streamedText.js';
import { NO_HOME_BUNDLES } from '../../../fixtures/noHomeBundles.js';

async function* streamOf<A>(
  xs: ReadonlyArray<A>,
  failAfter?: { readonly at: number; readonly error: unknown },
): AsyncGenerator<A> {
  for (const [i, x] of xs.entries()) {
    if (failAfter !== undefined && i === failAfter.at) throw failAfter.error;
    yield await Promise.resolve(x);
  }
}

/** A value with its arrays made streams, where `streams` says so, and the same value in memory. */
const withStreams = (v: unknown, streams: () => boolean): unknown => {
  if (Array.isArray(v)) return streams() ? streamOf(v) : v;
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withStreams(x, streams)]));
  return v;
};

/** A sink that takes `chunkDelayMs` per write and signals backpressure after 1 KiB. */
const slowSink = (): {
  out: Writable;
  text: () => Promise<string>;
  writes: () => number;
  mostBuffered: () => number;
} => {
  let text = '';
  let writes = 0;
  let mostBuffered = 0;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      writes += 1;
      text += chunk.toString('utf8');
      mostBuffered = Math.max(mostBuffered, out.writableLength);
      setTimeout(done, 1);
    },
  });
  // What was written once everything buffered has reached the sink.
  const finished = async (): Promise<string> => {
    await new Promise<void>((resolve) => out.end(() => resolve()));
    return text;
  };
  return { out, text: finished, writes: () => writes, mostBuffered: () => mostBuffered };
};

/** Turns as the API shows them, with any JSON as their items and errors. */
const arbitraryTurn: fc.Arbitrary<Turn> = fc.record({
  id: fc.string(),
  rootTurnId: fc.option(fc.string()),
  items: fc.array(fc.jsonValue(), { maxLength: 4 }) as unknown as fc.Arbitrary<Turn['items']>,
  itemsView: fc.constantFrom('notLoaded' as const, 'summary' as const, 'full' as const),
  status: fc.constantFrom('completed' as const, 'failed' as const, 'interrupted' as const, 'inProgress' as const),
  error: fc.constant(null),
  startedAt: fc.option(fc.integer()),
  completedAt: fc.option(fc.integer()),
  durationMs: fc.option(fc.integer()),
});

describe('RenderedTurns: turns as their JSON text', () => {
  it('one turn with its items as text is exactly JSON.stringify of the turn; several, comma-separated, come back as the turns', () => {
    fc.assert(
      fc.property(fc.array(arbitraryTurn, { minLength: 1, maxLength: 4 }), (turns) => {
        const rendered = turns.map((t) => RenderedTurns.of({ ...t, items: [] }, JSON.stringify(t.items)));
        rendered.forEach((r, i) => expect(r.json).to.equal(JSON.stringify(turns[i])));
        const together = new RenderedTurns(rendered.map((r) => r.json).join(','));
        expect(turnValues(together)).to.deep.equal(JSON.parse(JSON.stringify(turns)));
        expect(turnValues(turns[0]!)).to.deep.equal([turns[0]]);
      }),
      { numRuns: 200 },
    );
  });

  it("are written in place as a streamed array's elements, and cannot be written as one JSON value by mistake", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbitraryTurn, { maxLength: 6 }),
        fc.integer({ min: 1, max: 3 }),
        async (turns, per) => {
          const parts: Array<Turn | RenderedTurns> = [];
          for (let i = 0; i < turns.length; i += per) {
            const group = turns.slice(i, i + per);
            parts.push(
              group.length === 1 && i % 2 === 0
                ? group[0]!
                : new RenderedTurns(group.map((t) => JSON.stringify(t)).join(',')),
            );
          }
          expect(await streamedText({ thread: { id: 'x', turns: streamOf(parts) } })).to.equal(
            JSON.stringify({ thread: { id: 'x', turns } }),
          );
        },
      ),
      { numRuns: 200 },
    );
    expect(() => JSON.stringify([new RenderedTurns('{"id":"a"},{"id":"b"}')])).to.throw(TypeError, /turnValues/);
  });
});

describe('streamedJson: JSON written as it is produced', () => {
  it('writes exactly JSON.stringify of the value, whichever of its object-held arrays are streams', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.infiniteStream(fc.boolean()), async (value, coins) => {
        const streamed = withStreams(value, () => coins.next().value as boolean);
        expect(await streamedText(streamed)).to.equal(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps JSON.stringify rules inside a stream and an object: undefined is null in a stream, a key with undefined is left out', async () => {
    const value = { a: undefined, b: streamOf([1, undefined, { c: undefined, d: 2 }]), e: streamOf([]), f: {} };
    expect(await streamedText(value)).to.equal('{"b":[1,null,{"d":2}],"e":[],"f":{}}');
  });

  it('waits for a full pipe (backpressure: at most about 1 MiB held) and writes a long answer in large writes, then one newline', async () => {
    const sink = slowSink();
    const turns = Array.from({ length: 20_000 }, (_, i) => ({ id: `turn-${i}`, text: 'x'.repeat(200) }));
    await writeJsonLine(sink.out, { id: 1, result: { thread: { id: 't', turns: streamOf(turns) } } });
    expect(await sink.text()).to.equal(`${JSON.stringify({ id: 1, result: { thread: { id: 't', turns } } })}\n`);
    // ~4.5 MB in writes of about 64 KiB, not one per turn, and never all of it held.
    expect(sink.writes()).to.be.within(60, 80);
    expect(sink.mostBuffered()).to.be.within(512 << 10, (1 << 20) + (128 << 10));
  });

  it('an error before the first write leaves nothing written; after it, the cut line is ended with a newline', async () => {
    const small = slowSink();
    const boom = corrupt('/x.jsonl', 0, 'rewritten');
    let thrown: unknown = await writeJsonLine(small.out, { turns: streamOf([1, 2, 3], { at: 2, error: boom }) }).catch(
      (e: unknown) => e,
    );
    expect(thrown).to.equal(boom);
    expect(await small.text()).to.equal('');
    const big = slowSink();
    const turns = Array.from({ length: 1000 }, (_, i) => ({ id: i, text: 'y'.repeat(200) }));
    thrown = await writeJsonLine(big.out, { turns: streamOf(turns, { at: 900, error: boom }) }).catch(
      (e: unknown) => e,
    );
    expect(thrown).to.equal(boom);
    const cut = await big.text();
    expect(cut.endsWith('\n')).to.equal(true);
    expect(() => JSON.parse(cut)).to.throw();
  });

  it('the server answers an error met midway with the error object for the same id, after the cut line', async () => {
    const boom = corrupt('/x.jsonl', 7, 'a rollout file was rewritten under the index');
    const turns = Array.from({ length: 1000 }, (_, i) => ({ id: i, text: 'z'.repeat(200) }));
    const streaming = adHocMethod({
      name: 'thread/read',
      params: t.unknown,
      scope: () => null,
      handle: () => TE.right({ thread: { id: 't', turns: streamOf(turns, { at: 900, error: boom }) } }),
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const served = serveJsonRpc(input, output, {
      ctx: { codexHome: '/nowhere', ports: {} as ThreadManagementPorts, ...NO_HOME_BUNDLES },
      methods: [initialize, streaming],
    });
    input.end(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 't', version: '0' } } })}\n${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'thread/read', params: {} })}\n`,
    );
    await served;
    const lines = text.trimEnd().split('\n');
    expect(lines).to.have.length(3);
    expect(() => JSON.parse(lines[1]!)).to.throw();
    const answer = JSON.parse(lines[2]!) as { id: number; error: { code: number; message: string } };
    expect(answer.id).to.equal(2);
    expect(answer.error.message).to.include('rewritten');
  });
});

import { expect } from 'chai';
import * as fc from 'fast-check';
import * as t from 'io-ts';
import { shapeTest } from '../../domain/decodeShape.js';
import * as responseItem from '../../domain/rollout/kinds/responseItem.js';
import * as itemCompleted from '../../domain/rollout/kinds/itemCompleted.js';
import * as tokenUsageRecord from '../../domain/rollout/kinds/tokenUsageRecord.js';
import * as turnContext from '../../domain/rollout/kinds/turnContext.js';
import * as compacted from '../../domain/rollout/kinds/compacted.js';
import * as common from '../../domain/rollout/kinds/common.js';
import * as turnEvents from '../../domain/rollout/kinds/turnEvents.js';
import * as sessionMeta from '../../domain/rollout/kinds/sessionMeta.js';
import * as legacyItemEvents from '../../domain/rollout/kinds/legacyItemEvents.js';
import * as worldState from '../../domain/rollout/kinds/worldState.js';
import * as line from '../../domain/rollout/line.js';
import * as threadStateEvent from '../../domain/threadState/threadStateEvent.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';

/** Every io-ts codec the rollout and thread-state modules export. */
const CODECS: ReadonlyArray<readonly [string, t.Mixed]> = Object.entries<unknown>({
  ...responseItem,
  ...itemCompleted,
  ...tokenUsageRecord,
  ...turnContext,
  ...compacted,
  ...common,
  ...turnEvents,
  ...sessionMeta,
  ...legacyItemEvents,
  ...worldState,
  ...line,
  ...threadStateEvent,
}).filter((e): e is [string, t.Mixed] => e[1] instanceof t.Type);

/** Lines as Codex writes them (both history modes), parsed: the values the codecs meet on the hot path. */
const realValues = (): unknown[] => {
  const values: unknown[] = [];
  for (const mode of ['legacy', 'paginated'] as const) {
    const w = new RolloutWriter(mode, '01a1fe84-0000-7000-8000-0000000000f9').sessionMeta();
    w.chatTurn('t1', 'a question', 'an answer');
    w.tokenUsageRecord('t1', { input_tokens: 10, output_tokens: 2 }, 'resp-1');
    w.threadSettings({ model: 'mock-model', cwd: '/work/project' });
    w.turnAborted('t2');
    for (const raw of w.lines) {
      const v = JSON.parse(raw) as { payload: Record<string, unknown> };
      values.push(v, v.payload, { ...v.payload, type: 'other' }, { ...v, payload: null }, v.payload['item'] ?? null);
    }
  }
  return values;
};

/** A value with one field of `u` (at any depth) replaced: the near misses a shape test must see as io-ts does. */
const mutated = (u: unknown, path: ReadonlyArray<number>, by: unknown): unknown => {
  if (path.length === 0 || u === null || typeof u !== 'object') return by;
  const keys = Object.keys(u);
  if (keys.length === 0) return by;
  const k = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(u)
    ? ([...u] as unknown as Record<string, unknown>)
    : { ...(u as Record<string, unknown>) };
  if (path.length === 1 && path[0]! % 3 === 0) delete copy[k];
  else copy[k] = mutated((u as Record<string, unknown>)[k], path.slice(1), by);
  return copy;
};

describe("shapeTest: a codec's `is` that allocates nothing", () => {
  it(`answers exactly as io-ts's own is, for every rollout codec (${CODECS.length}), on real lines, near misses and any JSON`, () => {
    expect(CODECS.length).to.be.greaterThan(30);
    const values = realValues();
    for (const [name, codec] of CODECS) for (const v of values) expect(shapeTest(codec)(v), name).to.equal(codec.is(v));
    fc.assert(
      fc.property(
        fc.constantFrom(...values),
        fc.array(fc.nat(40), { minLength: 1, maxLength: 4 }),
        fc.oneof(fc.jsonValue(), fc.constant(undefined)),
        fc.constantFrom(...CODECS),
        (v, path, by, [name, codec]) => {
          const u = mutated(v, path, by);
          expect(shapeTest(codec)(u), name).to.equal(codec.is(u));
        },
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...CODECS), (u, [name, codec]) => {
        expect(shapeTest(codec)(u), name).to.equal(codec.is(u));
      }),
      { numRuns: 1000 },
    );
  });

  it('a codec of a kind it does not know is asked its own is', () => {
    const even = new t.Type<number, number, unknown>(
      'Even',
      (u): u is number => typeof u === 'number' && u % 2 === 0,
      (u, c) => (typeof u === 'number' && u % 2 === 0 ? t.success(u) : t.failure(u, c)),
      (n) => n,
    );
    const codec = t.type({ n: even, tags: t.array(t.keyof({ a: null, b: null })), rest: t.record(t.string, t.number) });
    for (const u of [
      { n: 2, tags: ['a'], rest: {} },
      { n: 3, tags: ['a'], rest: {} },
      { n: 2, tags: ['c'], rest: {} },
      { n: 2, tags: [], rest: { x: 'y' } },
    ])
      expect(shapeTest(codec)(u)).to.equal(codec.is(u));
  });
});

import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { renderError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import { hyphenatedPrefix, isThreadIdPrefix } from '../../domain/thread/threadId.js';
import { memoryIndexStore } from '../../projections/memoryStore.js';
import { AMBIGUOUS_SHOWN, resolveThreadId, threadStanding } from '../../replay/history/resolveThreadId.js';
import type { ThreadIdPorts } from '../../replay/history/resolveThreadId.js';

/** What the resolver reads of a thread row (the rest of a row is the indexer's). */
interface Row {
  readonly id: string;
  readonly name?: string;
  readonly preview?: string;
  readonly archived?: boolean;
  readonly createdAt?: number;
}

const A1 = '019a7f00-1111-7000-8000-000000000001';
const A2 = '019a7f00-2222-7000-8000-000000000002';
const B = '019b0000-3333-7000-8000-000000000003';
const ARCHIVED = '019c0000-4444-7000-8000-000000000004';

const storeWith = async (rows: ReadonlyArray<Row>): Promise<IndexStore> => {
  const index = memoryIndexStore();
  await index.commit(() =>
    rows.map((r) => ({
      op: 'put' as const,
      table: 'threads' as const,
      key: [r.id],
      value: {
        id: r.id,
        name: r.name ?? null,
        preview: r.preview ?? '',
        archived: r.archived ?? false,
        createdAt: r.createdAt ?? 1_795_268_400,
      },
    })),
  )();
  return index;
};

/** Ports over `index` whose catch-up counts its calls and may add rows first (a thread written since the last one). */
const portsOver = (
  index: IndexStore,
  onRefresh: () => Promise<void> = async () => undefined,
): ThreadIdPorts & { refreshes: number } => {
  const ports = {
    index,
    refreshes: 0,
    indexer: {
      refreshAll: () => async () => {
        ports.refreshes += 1;
        await onRefresh();
        return E.right(undefined);
      },
    },
  };
  return ports;
};

const HOME: ReadonlyArray<Row> = [
  { id: A1, name: 'Fix the parser' },
  { id: A2, preview: 'why does the\nbuild fail?', createdAt: 1_795_354_800 },
  { id: B, preview: 'hello' },
  { id: ARCHIVED, name: 'Old work', archived: true },
];

const resolved = async (ports: ThreadIdPorts, given: string): Promise<E.Either<EngineError, string>> =>
  resolveThreadId(ports, given)();

describe('resolveThreadId: a thread id, or the unique start of one, from the index', () => {
  it('a unique prefix is the id it starts (live or archived), after the index is caught up', async () => {
    const ports = portsOver(await storeWith(HOME));
    expect(await resolved(ports, '019b')).to.deep.equal(E.right(B));
    expect(await resolved(ports, '019a7f00-1')).to.deep.equal(E.right(A1));
    expect(await resolved(ports, '019c')).to.deep.equal(E.right(ARCHIVED));
    expect(ports.refreshes).to.equal(3);
  });

  it('uppercase and hyphenless prefixes find the ids as written (lowercase, hyphenated)', async () => {
    const ports = portsOver(await storeWith(HOME));
    expect(await resolved(ports, '019A7F00-2')).to.deep.equal(E.right(A2));
    expect(await resolved(ports, '019a7f002222')).to.deep.equal(E.right(A2));
    expect(hyphenatedPrefix('019A7F0022227')).to.equal('019a7f00-2222-7');
  });

  it('an ambiguous prefix is refused, listing each candidate: id, date, name or preview (one line), archived', async () => {
    const ports = portsOver(await storeWith(HOME));
    const r = await resolved(ports, '019a');
    expect(E.isLeft(r)).to.equal(true);
    const e = (r as E.Left<EngineError>).left;
    expect(e._tag).to.equal('Rejected');
    expect(renderError(e).split('\n')).to.deep.equal([
      'thread id prefix 019a is ambiguous: 2 threads start with it',
      `  ${A1}  2026-11-21  Fix the parser`,
      `  ${A2}  2026-11-22  why does the build fail?`,
    ]);
    const all = await resolved(ports, '01');
    expect(renderError((all as E.Left<EngineError>).left))
      .to.include('4 threads start with it')
      .and.include(`${ARCHIVED}  2026-11-21  Old work  (archived)`);
  });

  it(`more than ${AMBIGUOUS_SHOWN} candidates: the first ${AMBIGUOUS_SHOWN}, and a line saying there are more`, async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      id: `019d0000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    }));
    const ports = portsOver(await storeWith(many));
    const lines = renderError(((await resolved(ports, '019d')) as E.Left<EngineError>).left).split('\n');
    expect(lines[0]).to.equal(`thread id prefix 019d is ambiguous: more than ${AMBIGUOUS_SHOWN} threads start with it`);
    expect(lines).to.have.length(AMBIGUOUS_SHOWN + 2);
    expect(lines[lines.length - 1]).to.include('give more of the id');
  });

  it('a prefix no thread starts is NotFound (a thread), in words that say so', async () => {
    const ports = portsOver(await storeWith(HOME));
    const r = await resolved(ports, '019e');
    expect(r).to.deep.equal(
      E.left({ _tag: 'NotFound', what: 'thread', id: '019e', words: 'no thread id starts with 019e' }),
    );
  });

  it('a thread written since the last catch-up is found: the index is caught up before it is read', async () => {
    const index = await storeWith(HOME);
    const late = '019f0000-5555-7000-8000-000000000005';
    const ports = portsOver(index, async () => {
      await index.commit(() => [
        {
          op: 'put',
          table: 'threads',
          key: [late],
          value: { id: late, name: null, preview: '', archived: false, createdAt: 0 },
        },
      ])();
    });
    expect(await resolved(ports, '019f')).to.deep.equal(E.right(late));
  });

  it('a whole id, in any form Codex parses (uppercase, urn:uuid:, braces, simple), is answered as given, the index not read; so is text that is no id', async () => {
    const reads = { n: 0 };
    const index = await storeWith(HOME);
    const counting: IndexStore = {
      ...index,
      range: (...a) => {
        reads.n += 1;
        return index.range(...a);
      },
      get: (...a) => {
        reads.n += 1;
        return index.get(...a);
      },
    };
    const ports = portsOver(counting);
    for (const given of [
      A1,
      A1.toUpperCase(),
      `urn:uuid:${A1}`,
      `{${A1}}`,
      A1.replaceAll('-', ''),
      '01a20000-0000-7000-8000-000000000000',
      'nope',
      'not-a-uuid',
      '',
    ])
      expect(await resolved(ports, given), given).to.deep.equal(E.right(given));
    expect(reads.n).to.equal(0);
    expect(ports.refreshes).to.equal(0);
  });

  it('isThreadIdPrefix: hex digits and hyphens shorter than an id, not an id itself', () => {
    for (const p of ['0', '019a', '019A7F00-', '019a7f00-1111-7000-8000-00000000000'])
      expect(isThreadIdPrefix(p), p).to.equal(true);
    for (const p of ['', '-019a', 'nope', 'g19a', A1, A1.replaceAll('-', ''), `urn:uuid:019a`, '019a 7f'])
      expect(isThreadIdPrefix(p), p).to.equal(false);
  });

  it('threadStanding: live, archived, or unknown by its row', async () => {
    const index = await storeWith(HOME);
    expect(await threadStanding({ index }, A1)()).to.deep.equal(E.right('live'));
    expect(await threadStanding({ index }, ARCHIVED)()).to.deep.equal(E.right('archived'));
    expect(await threadStanding({ index }, '01a20000-0000-7000-8000-000000000000')()).to.deep.equal(E.right('unknown'));
    expect(
      await threadStanding({ index: { ...index, get: () => TE.left({ _tag: 'Timeout', what: 'x', ms: 1 }) } }, A1)(),
    ).to.deep.equal(E.left({ _tag: 'Timeout', what: 'x', ms: 1 }));
  });
});

import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt } from '../../../domain/errors.js';
import { decodeShape } from '../../../domain/decodeShape.js';
import { stop, take, takeNow, useCase } from '../../../domain/effect.js';
import type { EventDraft, EventStoreConnection, RecordedEvent } from './eventStoreClient.js';
import { eventStoreError, isWrongExpectedVersion } from './eventStoreError.js';
import { deterministicUuid } from './lineEvents.js';
import { ThreadStateEvent, foldThreadState } from '../../../domain/threadState/threadStateEvent.js';
import type { ThreadStateRow } from '../../../domain/threadState/threadStateEvent.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/**
 * The home's facts that are not rollout lines, in one control stream beside the rollout streams:
 * where each stream's file lives (`sessions/…` or, once archived, `archived_sessions/…`) and which
 * files a revision superseded (the `<file>.superseded` mark and the revision it names), names,
 * and the engine's thread state (read receipts, stored git info: the events of its thread-state
 * log, so every node's log and index hold them). Folded whole (it holds one small event per
 * change); appended at its exact revision.
 */
export const HOME_CONTROL_STREAM = 'codex-home-control';

export const HomeFact = t.union([
  t.type({ kind: t.literal('rolloutFile'), stream: t.string, file: t.string }),
  t.type({ kind: t.literal('superseded'), file: t.string, revision: t.string }),
  /** The stream's file was deleted (thread/delete): a node's copy deletes it too; export leaves it out. */
  t.type({ kind: t.literal('removed'), stream: t.string, file: t.string }),
  /**
   * A rename (`thread/name/set`): the line Codex appends to `session_index.jsonl`, with its time;
   * `line`, the line's exact text where it is not the one `sessionIndexLine` writes (a mirrored
   * home's own lines, given back byte for byte).
   */
  t.intersection([
    t.type({ kind: t.literal('threadName'), threadId: t.string, name: t.string, at: t.string }),
    t.partial({ line: t.string }),
  ]),
  /** A thread's names dropped from `session_index.jsonl` (thread/delete), at a time (so a later delete is a fact of its own). */
  t.type({ kind: t.literal('namesForgotten'), threadId: t.string, at: t.string }),
  /** One event of the engine's thread-state log (adapters/driven/engineState/threadStateLog.ts): every node appends it to its own log. */
  t.type({ kind: t.literal('threadState'), event: ThreadStateEvent }),
]);
export type HomeFact = t.TypeOf<typeof HomeFact>;

export interface HomeFacts {
  /** Stream → its file (relative to CODEX_HOME, `/`-separated), the latest said; a removed one is left out. */
  readonly files: ReadonlyMap<string, string>;
  /** Stream → its removed file. */
  readonly removed: ReadonlyMap<string, string>;
  /** What each fact key last said (`recordHomeFacts` writes only what differs). */
  readonly said: ReadonlyMap<string, string>;
  /** Superseded file → the revision file named by its mark (relative to the file's folder, as the mark holds it). */
  readonly superseded: ReadonlyMap<string, string>;
  /** Thread → its state, the fold of its `threadState` facts (a forgotten thread is left out). */
  readonly threadStates: ReadonlyMap<string, ThreadStateRow>;
  /** The control stream's last revision (-1: none). */
  readonly revision: number;
}

const PAGE = 512;
const TYPES: Readonly<Record<HomeFact['kind'], string>> = {
  rolloutFile: 'home.rolloutFile',
  superseded: 'home.superseded',
  removed: 'home.removed',
  threadName: 'home.threadName',
  namesForgotten: 'home.namesForgotten',
  threadState: 'home.threadState',
};

/** What a fact is about and what it says of it: a fact saying what the stream already says is not written again. */
const factKey = (f: HomeFact): string => {
  switch (f.kind) {
    case 'rolloutFile':
    case 'removed':
      return `file:${f.stream}`;
    case 'superseded':
      return `superseded:${f.file}`;
    case 'threadName':
    case 'namesForgotten':
      return `name:${f.threadId}`;
    case 'threadState':
      return `state:${f.event.threadId}`;
  }
};
const factValue = (f: HomeFact): string => {
  switch (f.kind) {
    case 'rolloutFile':
      return f.file;
    case 'removed':
      return `removed:${f.file}`;
    case 'superseded':
      return f.revision;
    case 'threadName':
      return `${f.name}\u0000${f.at}`;
    case 'namesForgotten':
      return `forgotten:${f.at}`;
    case 'threadState':
      return JSON.stringify(f.event);
  }
};

/** A control event's fact, decoded (Corrupt if it is not one). */
export const homeFactOf = (event: RecordedEvent): E.Either<EngineError, HomeFact> => {
  let json: unknown;
  try {
    json = parseJson(Buffer.from(event.data).toString('utf8'));
  } catch {
    json = undefined;
  }
  const fact = decodeShape(HomeFact, json);
  return E.isRight(fact)
    ? E.right(fact.right)
    : E.left(corrupt(HOME_CONTROL_STREAM, event.revision, `event ${event.revision} is not a home fact`));
};

/** The control stream's facts folded: where each file lives, what is removed and superseded, each thread's state, and what was said (to write no fact twice). */
export interface FactsFold {
  readonly files: Map<string, string>;
  readonly removed: Map<string, string>;
  readonly said: Map<string, string>;
  readonly superseded: Map<string, string>;
  readonly threadStates: Map<string, ThreadStateRow>;
  revision: number;
}

export const emptyFold = (): FactsFold => ({
  files: new Map(),
  removed: new Map(),
  said: new Map(),
  superseded: new Map(),
  threadStates: new Map(),
  revision: -1,
});

/** One more fact, the event at `revision`, folded in. */
export const foldFact = (fold: FactsFold, f: HomeFact, revision: number): void => {
  fold.said.set(factKey(f), factValue(f));
  if (f.kind === 'rolloutFile') {
    fold.files.set(f.stream, f.file);
    fold.removed.delete(f.stream);
  } else if (f.kind === 'removed') {
    fold.files.delete(f.stream);
    fold.removed.set(f.stream, f.file);
  } else if (f.kind === 'superseded') fold.superseded.set(f.file, f.revision);
  else if (f.kind === 'threadState') {
    const next = foldThreadState(fold.threadStates.get(f.event.threadId), f.event);
    if (next === undefined) fold.threadStates.delete(f.event.threadId);
    else fold.threadStates.set(f.event.threadId, next);
  }
  fold.revision = revision;
};

/** Fold the control stream's events after `fold.revision` into it, a page at a time. */
const foldNewFacts = (
  connection: EventStoreConnection,
  fold: FactsFold,
): Promise<E.Either<EngineError, 'folded' | 'streamGone'>> =>
  useCase(async (): Promise<'folded' | 'streamGone'> => {
    for (;;) {
      let page: Awaited<ReturnType<EventStoreConnection['read']>>;
      try {
        page = await connection.read(HOME_CONTROL_STREAM, fold.revision + 1, 'forwards', PAGE);
      } catch (err) {
        return stop(eventStoreError(HOME_CONTROL_STREAM, 'read')(err));
      }
      if (page === 'noStream') return fold.revision < 0 ? 'folded' : 'streamGone';
      for (const event of page) foldFact(fold, takeNow(homeFactOf(event)), event.revision);
      if (page.length < PAGE) return 'folded';
    }
  })();

/**
 * The control stream folded per connection, kept between reads: a write checks the facts (is its
 * file superseded?) and used to read the whole stream each time; now it reads what came after
 * the last event folded (usually nothing: one short read). Reads on one connection take turns,
 * so events are folded once and in order.
 */
const folds = new WeakMap<
  EventStoreConnection,
  { fold: FactsFold; turn: Promise<unknown>; snapshot: HomeFacts | undefined }
>();

/** The control stream's facts: the kept fold brought up to the stream's end (folded anew if the stream was deleted meanwhile). */
export const readHomeFacts = async (connection: EventStoreConnection): Promise<E.Either<EngineError, HomeFacts>> => {
  let kept = folds.get(connection);
  if (kept === undefined) {
    kept = { fold: emptyFold(), turn: Promise.resolve(), snapshot: undefined };
    folds.set(connection, kept);
  }
  const k = kept;
  const read = k.turn.then(async (): Promise<E.Either<EngineError, HomeFacts>> => {
    let r = await foldNewFacts(connection, k.fold);
    if (E.isRight(r) && r.right === 'streamGone') {
      k.fold = emptyFold();
      k.snapshot = undefined;
      r = await foldNewFacts(connection, k.fold);
    }
    if (E.isLeft(r)) {
      // A failure part way leaves the fold where it got to: consistent, only behind.
      return r;
    }
    // Nothing new since the last answer (a write's usual case): that answer again, not copied anew.
    if (k.snapshot !== undefined && k.snapshot.revision === k.fold.revision) return E.right(k.snapshot);
    const { files, removed, said, superseded, threadStates, revision } = k.fold;
    // Copies: a caller holds its answer across awaits while later reads fold on.
    k.snapshot = {
      files: new Map(files),
      removed: new Map(removed),
      said: new Map(said),
      superseded: new Map(superseded),
      threadStates: new Map(threadStates),
      revision,
    };
    return E.right(k.snapshot);
  });
  k.turn = read.catch(() => undefined);
  return read;
};

/** Every fact of the control stream in order, a page at a time (for export and mirror, which read it whole once). */
export async function* homeFactsInOrder(
  connection: EventStoreConnection,
): AsyncGenerator<{ readonly fact: HomeFact; readonly revision: number }> {
  for (let revision = -1; ;) {
    let page: Awaited<ReturnType<EventStoreConnection['read']>>;
    try {
      page = await connection.read(HOME_CONTROL_STREAM, revision + 1, 'forwards', PAGE);
    } catch (err) {
      throw eventStoreError(HOME_CONTROL_STREAM, 'read')(err);
    }
    if (page === 'noStream') return;
    for (const event of page) {
      const fact = homeFactOf(event);
      if (E.isLeft(fact)) throw fact.left;
      yield { fact: fact.right, revision: event.revision };
      revision = event.revision;
    }
    if (page.length < PAGE) return;
  }
}

/**
 * Record the facts that differ from what the stream says, at its exact revision; another writer
 * in between makes it fold again and retry (facts are idempotent: the same fact is not written twice).
 */
export const recordHomeFacts = (
  connection: EventStoreConnection,
  facts: ReadonlyArray<HomeFact>,
): Promise<E.Either<EngineError, number>> =>
  useCase(async (): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const known = await take(readHomeFacts(connection));
      const fresh = facts.filter((f) => known.said.get(factKey(f)) !== factValue(f));
      if (fresh.length === 0) return 0;
      const events: EventDraft[] = fresh.map((f, i) => ({
        id: deterministicUuid(`${HOME_CONTROL_STREAM}\u0000${known.revision + 1 + i}\u0000${JSON.stringify(f)}`),
        type: TYPES[f.kind],
        data: Buffer.from(JSON.stringify(f), 'utf8'),
        metadata: {},
      }));
      try {
        await connection.append(HOME_CONTROL_STREAM, events, known.revision < 0 ? 'noStream' : known.revision);
        return fresh.length;
      } catch (err) {
        if (!isWrongExpectedVersion(err) || attempt >= 5)
          return stop(eventStoreError(HOME_CONTROL_STREAM, 'append')(err));
      }
    }
  })();

/**
 * One fact appended just past the control stream's `revision`, or `'conflict'` when another
 * writer was first (the caller folds again and decides anew). The id is from the revision and
 * the fact, so a retry of the same append is not written twice.
 */
export const appendHomeFactAt = async (
  connection: EventStoreConnection,
  fact: HomeFact,
  revision: number,
): Promise<E.Either<EngineError, 'appended' | 'conflict'>> => {
  const data = JSON.stringify(fact);
  try {
    await connection.append(
      HOME_CONTROL_STREAM,
      [
        {
          id: deterministicUuid(`${HOME_CONTROL_STREAM}\u0000${revision + 1}\u0000${data}`),
          type: TYPES[fact.kind],
          data: Buffer.from(data, 'utf8'),
          metadata: {},
        },
      ],
      revision < 0 ? 'noStream' : revision,
    );
    return E.right('appended');
  } catch (err) {
    return isWrongExpectedVersion(err)
      ? E.right('conflict')
      : E.left(eventStoreError(HOME_CONTROL_STREAM, 'append')(err));
  }
};

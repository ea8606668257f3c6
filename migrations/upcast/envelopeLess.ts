/**
 * Upcasting of pre-envelope Codex rollouts into modern `RolloutLine` views.
 *
 * Source formats (see `legacyShapes.ts` for the Codex paths/commits they were read from):
 *   - `envelopeLess` ("bare-v1" / "bare-v2"): first line a bare session meta
 *     `{id, timestamp, instructions?, git?}`, then bare ResponseItems, plus
 *     `{"record_type":"state",…}` snapshot lines.
 *   - `recordTyped`: first line `{"record_type":"session_meta", …meta}`, then bare items,
 *     `{"record_type":"event","id","msg"}`, `{"record_type":"prev_session_meta",…}`,
 *     `{"record_type":"response",…item}`.
 * Lines of different eras may be mixed in one file (an old Codex resuming a file appended its own
 * lines), so every line is classified on its own shape; the file format only decides how the
 * first line is read.
 *
 * Rules of the views produced:
 *   - `raw` is ALWAYS the exact source line text. `encodeRolloutLine(view)` therefore returns the
 *     stored bytes and joining the raws with `\n` rebuilds the file byte for byte. Upcasting never
 *     rewrites anything. The canonical modern encoding of the view is available separately as
 *     `upcast.modernRaw` (built with `makeRolloutLine`), for a caller that deliberately migrates.
 *   - `timestamp`: legacy lines carry no time of their own. A session meta line uses its own
 *     `timestamp`; every other line gets the timestamp of the file's first session meta (the session
 *     start), marked `timestampSource: 'sessionMeta'`. We never invent later times; order is the
 *     line order (`sourceIndex`).
 *   - `ordinal` is undefined (legacy history, like Codex's legacy mode); `metadata` is undefined.
 *   - session meta payload: the source object's keys verbatim and in order (minus `record_type`).
 *     `instructions` is kept as `instructions`: modern Codex has no alias from `instructions` to
 *     `base_instructions` (its early envelope `SessionMeta` had the same `instructions` key and the
 *     later field is a different type, `{text}`), so we do not synthesise `base_instructions`.
 *     `cwd` / `originator` / `cli_version` / `git` appear only when the source had them.
 *   - bare ResponseItem → `response_item` with the object verbatim as payload.
 *   - `record_type:"event"` → `event_msg` whose payload is `msg` (the submission `id` is kept in
 *     `upcast.legacyEventId`).
 *   - `record_type:"state"` has no modern equivalent (modern Codex keeps no state snapshot), so it
 *     becomes the unknown kind `LEGACY_STATE_KIND` with the whole source object as payload.
 *     Any other unknown `record_type` becomes `LEGACY_RECORD_KIND`, verbatim. Modern Codex would
 *     skip such lines (undecodable kind), and so should projections.
 *   - A line that already has the modern envelope is decoded with `decodeRolloutLine` unchanged.
 *
 * Errors are data: the whole file fails (Left) only when it cannot be identified (empty, first
 * line not a session meta, or already modern → `Unsupported`); a bad individual line is a `Left`
 * in `lines` so the caller can quarantine it, as Codex skips unparsable lines.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { decodeRolloutLine, makeRolloutLine, type RolloutLine } from '../../domain/rollout/line.js';
import { decodeError, unsupported, type EngineError } from '../../domain/errors.js';
import { renderDecodeErrors } from '../../domain/decodeErrors.js';
import { decide, takeNow } from '../../domain/effect.js';
import {
  LegacyRecordTypedEvent,
  LegacyResponseItem,
  LegacySessionMeta,
  knownLegacyItemCodecs,
} from './legacyShapes.js';
import { parseJson } from '../../domain/jsonNesting.js';

/** Kind given to `{"record_type":"state"}` snapshot lines (no modern equivalent). */
export const LEGACY_STATE_KIND = 'legacy_state_snapshot';
/** Kind given to lines with an unknown `record_type`. */
export const LEGACY_RECORD_KIND = 'legacy_record';

export type RolloutFormat = 'envelope' | 'envelopeLess' | 'recordTyped' | 'empty' | 'unknown';

/** Which legacy shape a view was upcast from. */
export type LegacyLineKind =
  | 'bareSessionMeta'
  | 'bareResponseItem'
  | 'stateSnapshot'
  | 'recordTypedSessionMeta'
  | 'recordTypedPrevSessionMeta'
  | 'recordTypedEvent'
  | 'recordTypedResponse'
  | 'recordTypedUnknown';

export interface UpcastProvenance {
  readonly from: LegacyLineKind;
  /** `'line'`: the line's own timestamp; `'sessionMeta'`: borrowed from the file's session meta. */
  readonly timestampSource: 'line' | 'sessionMeta';
  /** Canonical modern encoding of this view. Never written by the upcaster. */
  readonly modernRaw: string;
  /** Submission id of a record-typed event line (`{"record_type":"event","id":…}`). */
  readonly legacyEventId?: string;
}

export interface UpcastRolloutLine extends RolloutLine {
  /** 0-based index of the source line in the input array. */
  readonly sourceIndex: number;
  /** Byte offset of the source line, assuming `\n`-separated lines (UTF-8). */
  readonly byteOffset: number;
  /** How the view was derived; `undefined` when the source line already had the modern envelope. */
  readonly upcast: UpcastProvenance | undefined;
}

export interface UpcastFile {
  readonly format: 'envelopeLess' | 'recordTyped';
  readonly sessionId: string;
  /** Session start time, used as the timestamp of every line that has none of its own. */
  readonly baseTimestamp: string;
  /** One entry per non-blank source line, in order (blank lines are skipped, as Codex does). */
  readonly lines: ReadonlyArray<E.Either<EngineError, UpcastRolloutLine>>;
}

export interface UpcastOptions {
  /** Used in error values; defaults to `<rollout>`. */
  readonly path?: string;
}

// ---------------------------------------------------------------------------------------------
// helpers

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

const parseLine = (raw: string): E.Either<string, unknown> =>
  E.tryCatch(
    () => parseJson(raw) as unknown,
    (e) => `not JSON: ${(e as Error).message}`,
  );

const looksLikeEnvelope = (o: JsonObject): boolean =>
  typeof o['timestamp'] === 'string' && typeof o['type'] === 'string' && 'payload' in o;

const looksLikeBareSessionMeta = (o: JsonObject): boolean =>
  typeof o['id'] === 'string' && typeof o['timestamp'] === 'string' && !('type' in o) && !('record_type' in o);

const withoutKey = (o: JsonObject, key: string): JsonObject => {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (k !== key) out[k] = v;
  return out;
};

const decodeWith = <A>(codec: t.Decoder<unknown, A>, value: unknown, what: string): E.Either<string, A> =>
  pipe(
    codec.decode(value),
    E.mapLeft((errs) => `not a legacy ${what}: ${renderDecodeErrors(errs)}`),
  );

const byteOffsets = (lines: ReadonlyArray<string>): number[] => {
  const out: number[] = [];
  let off = 0;
  for (const l of lines) {
    out.push(off);
    off += Buffer.byteLength(l, 'utf8') + 1;
  }
  return out;
};

const isBlank = (s: string): boolean => s.trim() === '';

// ---------------------------------------------------------------------------------------------
// detection

/**
 * Identify a rollout's format from its first (non-blank) line.
 * - `envelope`: `{timestamp: string, type: string, payload}` (modern, with or without `ordinal`).
 * - `recordTyped`: `{"record_type":"session_meta", id, timestamp, …}`.
 * - `envelopeLess`: a bare session meta `{id: string, timestamp: string, …}` with no `type`.
 * - `empty`: blank text; `unknown`: anything else (not JSON, not an object, other shapes).
 */
export const detectRolloutFormat = (firstLineText: string): RolloutFormat => {
  if (isBlank(firstLineText)) return 'empty';
  const parsed = parseLine(firstLineText);
  if (E.isLeft(parsed) || !isObject(parsed.right)) return 'unknown';
  const o = parsed.right;
  if (looksLikeEnvelope(o)) return 'envelope';
  if (o['record_type'] === 'session_meta' && typeof o['id'] === 'string' && typeof o['timestamp'] === 'string') {
    return 'recordTyped';
  }
  if (looksLikeBareSessionMeta(o)) return 'envelopeLess';
  return 'unknown';
};

// ---------------------------------------------------------------------------------------------
// per-line upcast

export interface UpcastLineContext {
  readonly path: string;
  readonly baseTimestamp: string;
  readonly firstIndex: number;
}

interface ModernView {
  readonly from: LegacyLineKind;
  readonly type: string;
  readonly payload: unknown;
  readonly timestamp: string;
  readonly timestampSource: 'line' | 'sessionMeta';
  readonly legacyEventId?: string;
}

const sessionMetaView = (o: JsonObject, from: LegacyLineKind): E.Either<string, ModernView> => {
  const payload = withoutKey(o, 'record_type');
  return pipe(
    decodeWith(LegacySessionMeta, payload, 'session meta'),
    E.map((meta) => ({
      from,
      type: 'session_meta',
      payload,
      timestamp: meta.timestamp,
      timestampSource: 'line' as const,
    })),
  );
};

const responseItemView = (
  item: JsonObject,
  from: LegacyLineKind,
  ctx: UpcastLineContext,
): E.Either<string, ModernView> =>
  pipe(
    decodeWith(LegacyResponseItem, item, 'response item'),
    E.chain((ri) => {
      const codec = knownLegacyItemCodecs[ri.type];
      return codec === undefined
        ? E.right(ri)
        : pipe(
            decodeWith(codec, item, `${ri.type} item`),
            E.map(() => ri),
          );
    }),
    E.map(() => ({
      from,
      type: 'response_item',
      payload: item,
      timestamp: ctx.baseTimestamp,
      timestampSource: 'sessionMeta' as const,
    })),
  );

const classify = (o: JsonObject, index: number, ctx: UpcastLineContext): E.Either<string, ModernView | 'envelope'> => {
  const recordType = o['record_type'];
  if (recordType !== undefined) {
    if (typeof recordType !== 'string') return E.left('record_type is not a string');
    switch (recordType) {
      case 'state':
        return E.right({
          from: 'stateSnapshot',
          type: LEGACY_STATE_KIND,
          payload: o,
          timestamp: ctx.baseTimestamp,
          timestampSource: 'sessionMeta',
        });
      case 'session_meta':
        return sessionMetaView(o, 'recordTypedSessionMeta');
      case 'prev_session_meta':
        return sessionMetaView(o, 'recordTypedPrevSessionMeta');
      case 'event':
        return pipe(
          decodeWith(LegacyRecordTypedEvent, o, 'event record'),
          E.map((ev) => ({
            from: 'recordTypedEvent' as const,
            type: 'event_msg',
            payload: ev.msg,
            timestamp: ctx.baseTimestamp,
            timestampSource: 'sessionMeta' as const,
            legacyEventId: ev.id,
          })),
        );
      case 'response':
        return responseItemView(withoutKey(o, 'record_type'), 'recordTypedResponse', ctx);
      default:
        return E.right({
          from: 'recordTypedUnknown',
          type: LEGACY_RECORD_KIND,
          payload: o,
          timestamp: ctx.baseTimestamp,
          timestampSource: 'sessionMeta',
        });
    }
  }
  if (looksLikeEnvelope(o)) return E.right('envelope');
  if (index === ctx.firstIndex || looksLikeBareSessionMeta(o)) {
    if (looksLikeBareSessionMeta(o)) return sessionMetaView(o, 'bareSessionMeta');
    return E.left('first line is not a session meta');
  }
  if (typeof o['type'] === 'string') return responseItemView(o, 'bareResponseItem', ctx);
  return E.left('unrecognised legacy line (no record_type, no type, not a session meta)');
};

/**
 * Upcast one source line. Pure; `index`/`byteOffset` only locate errors and views.
 * Exposed for streaming readers that already know the file's base timestamp.
 */
export const upcastLegacyLine = (
  raw: string,
  index: number,
  byteOffset: number,
  ctx: UpcastLineContext,
): E.Either<EngineError, UpcastRolloutLine> => {
  const fail = (reason: string): EngineError => decodeError(ctx.path, index, byteOffset, reason);
  return pipe(
    parseLine(raw),
    E.chain((v) => (isObject(v) ? E.right(v) : E.left('not a JSON object'))),
    E.chain((o) => classify(o, index, ctx)),
    E.chain((view): E.Either<string, UpcastRolloutLine> => {
      if (view === 'envelope') {
        return pipe(
          decodeRolloutLine(raw),
          E.map((line) => ({ ...line, sourceIndex: index, byteOffset, upcast: undefined })),
        );
      }
      const modern = makeRolloutLine({ timestamp: view.timestamp, type: view.type, payload: view.payload });
      const upcast: UpcastProvenance =
        view.legacyEventId === undefined
          ? { from: view.from, timestampSource: view.timestampSource, modernRaw: modern.raw }
          : {
              from: view.from,
              timestampSource: view.timestampSource,
              modernRaw: modern.raw,
              legacyEventId: view.legacyEventId,
            };
      return E.right({
        raw,
        timestamp: view.timestamp,
        type: view.type,
        ordinal: undefined,
        payload: view.payload,
        metadata: undefined,
        sourceIndex: index,
        byteOffset,
        upcast,
      });
    }),
    E.mapLeft(fail),
  );
};

// ---------------------------------------------------------------------------------------------
// whole file

/**
 * Upcast the lines of a legacy (pre-envelope) rollout file. `lines` is the file split on `\n`
 * without terminators (a trailing empty string from a final newline is fine: blank lines are
 * skipped).
 */
export const upcastEnvelopeLess = (
  lines: ReadonlyArray<string>,
  options: UpcastOptions = {},
): E.Either<EngineError, UpcastFile> => {
  const path = options.path ?? '<rollout>';
  const offsets = byteOffsets(lines);
  const firstIndex = lines.findIndex((l) => !isBlank(l));
  if (firstIndex < 0) return E.left(decodeError(path, 0, 0, 'empty session file'));
  const firstRaw = lines[firstIndex] ?? '';
  const firstOffset = offsets[firstIndex] ?? 0;
  const format = detectRolloutFormat(firstRaw);
  if (format === 'envelope') {
    return E.left(
      unsupported('upcast of a rollout that already has the {timestamp,type,payload} envelope', 'envelope'),
    );
  }
  if (format !== 'envelopeLess' && format !== 'recordTyped') {
    return E.left(
      decodeError(path, firstIndex, firstOffset, 'first line is not a legacy session meta ({id, timestamp, …})'),
    );
  }
  return decide(() => {
    const meta = takeNow(
      pipe(
        parseLine(firstRaw),
        E.chain((v) => decodeWith(LegacySessionMeta, isObject(v) ? withoutKey(v, 'record_type') : v, 'session meta')),
        E.mapLeft((reason) => decodeError(path, firstIndex, firstOffset, reason)),
      ),
    );
    const ctx: UpcastLineContext = { path, baseTimestamp: meta.timestamp, firstIndex };
    const out: Array<E.Either<EngineError, UpcastRolloutLine>> = [];
    lines.forEach((raw, i) => {
      if (isBlank(raw)) return;
      out.push(upcastLegacyLine(raw, i, offsets[i] ?? 0, ctx));
    });
    return { format, sessionId: meta.id, baseTimestamp: meta.timestamp, lines: out };
  });
};

/**
 * Convenience: the modern views only (failed lines dropped), e.g. for feeding a projection that
 * expects `RolloutLine`s. Use `upcastEnvelopeLess` to see the failures.
 */
export const upcastedLines = (file: UpcastFile): ReadonlyArray<UpcastRolloutLine> =>
  file.lines.flatMap((l) => (E.isRight(l) ? [l.right] : []));

import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { renderDecodeErrors } from '../decodeErrors.js';
import { decodeShape } from '../decodeShape.js';
import { JsonTooDeep, parseJson } from '../jsonNesting.js';

/**
 * The envelope every modern rollout line has: `{timestamp, ordinal?, type, payload, metadata?}`.
 * Unknown top-level keys are tolerated; the raw text is kept so re-encoding is byte-identical.
 */
export const RolloutEnvelope = t.intersection([
  t.type({ timestamp: t.string, type: t.string, payload: t.unknown }),
  t.partial({ ordinal: t.number, metadata: t.unknown }),
]);
export type RolloutEnvelope = t.TypeOf<typeof RolloutEnvelope>;

export interface RolloutLine {
  /** Exact text of the line as stored (no trailing newline). Encoding returns it unchanged. */
  readonly raw: string;
  readonly timestamp: string;
  readonly type: string;
  /** Paginated history only: dense counter over the logical history. */
  readonly ordinal: number | undefined;
  readonly payload: unknown;
  readonly metadata: unknown;
}

/**
 * Decode one line's text. A failure is a readable reason, to be quarantined by the caller.
 * `parsed`: the text to parse instead of `raw`, when a reader has dropped the contents of long
 * strings it will never read (see projections/lazyLine.ts); `raw` stays the stored bytes.
 */
export const decodeRolloutLine = (raw: string, parsed: string = raw): E.Either<string, RolloutLine> => {
  let json: unknown;
  try {
    // Deeper than serde_json goes (Codex cannot read the line either): quarantined like any bad line.
    json = parseJson(parsed);
  } catch (e) {
    return E.left(e instanceof JsonTooDeep ? e.message : `not JSON: ${(e as Error).message}`);
  }
  return pipe(
    decodeShape(RolloutEnvelope, json),
    E.mapLeft((errs) => `not a rollout line: ${renderDecodeErrors(errs)}`),
    E.map((env) => ({
      raw,
      timestamp: env.timestamp,
      type: env.type,
      ordinal: env.ordinal,
      payload: env.payload,
      metadata: env.metadata,
    })),
  );
};

/** Re-encode: a decoded line is always its stored bytes. */
export const encodeRolloutLine = (line: RolloutLine): string => line.raw;

/**
 * Build a new line the way Codex serialises it: compact JSON, keys in the order
 * `timestamp, ordinal, type, payload, metadata` (ordinal only in paginated mode).
 */
export const makeRolloutLine = (fields: {
  timestamp: string;
  ordinal?: number | undefined;
  type: string;
  payload: unknown;
  metadata?: unknown;
}): RolloutLine => {
  const obj: Record<string, unknown> = { timestamp: fields.timestamp };
  if (fields.ordinal !== undefined) obj['ordinal'] = fields.ordinal;
  obj['type'] = fields.type;
  obj['payload'] = fields.payload;
  if (fields.metadata !== undefined) obj['metadata'] = fields.metadata;
  return {
    raw: JSON.stringify(obj),
    timestamp: fields.timestamp,
    type: fields.type,
    ordinal: fields.ordinal,
    payload: fields.payload,
    metadata: fields.metadata,
  };
};

/** `payload.type` of an `event_msg` / `response_item` line, if any. */
export const payloadType = (line: RolloutLine): string | undefined => {
  const p = line.payload;
  if (p !== null && typeof p === 'object' && typeof (p as { type?: unknown }).type === 'string') {
    return (p as { type: string }).type;
  }
  return undefined;
};

import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError, LogPosition } from '../../../domain/errors.js';
import { corrupt } from '../../../domain/errors.js';
import { decodeRolloutLine } from '../../../domain/rollout/line.js';
import { decodeShape } from '../../../domain/decodeShape.js';
import type { EventDraft, RecordedEvent } from './eventStoreClient.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/**
 * One rollout line = one event (or, for a line larger than a part, consecutive part events):
 * data is the line's exact bytes (no newline, no BOM), type `codex.<line type>` or
 * `rollout.quarantined`, metadata the line's place in its file. Ids are deterministic from the
 * stream, the ordinal, the part and a hash of the bytes, so a retry writes nothing twice and
 * another writer's different line at the same place is told apart (a Conflict, not a dedupe).
 */
export const LineEventMetadata = t.intersection([
  t.type({ ordinal: t.number, byteOffset: t.number, byteLength: t.number }),
  t.partial({
    /** The file starts with a UTF-8 BOM (first line only). */
    bom: t.literal(true),
    /** Part `part` of `parts` of one line's bytes. */
    part: t.number,
    parts: t.number,
    /** The file's path under CODEX_HOME (first line only): where export writes it. */
    file: t.string,
  }),
]);
export type LineEventMetadata = t.TypeOf<typeof LineEventMetadata>;

export const QUARANTINED_TYPE = 'rollout.quarantined';
export const LINE_TYPE_PREFIX = 'codex.';
const BOM_LENGTH = 3;

/** A line to store: its bytes, and for a file's first line whether a BOM precedes it and the file's path. */
export interface LineToStore {
  readonly bytes: Uint8Array;
  readonly bom?: boolean;
  readonly file?: string;
}

/** `codex.<type>` for a rollout line, `rollout.quarantined` for bytes that are not one (kept as they are). */
export const eventTypeOf = (bytes: Uint8Array): string => {
  if (bytes.length === 0 || !isUtf8(bytes)) return QUARANTINED_TYPE;
  const decoded = decodeRolloutLine(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  return E.isRight(decoded) ? `${LINE_TYPE_PREFIX}${decoded.right.type}` : QUARANTINED_TYPE;
};

/** A UUID (version 5 layout) from a SHA-256 of `text`: the same text, the same id. */
export const deterministicUuid = (text: string): string => {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** A line event's id: from the stream, the ordinal, the part and the hash of the line's bytes. */
export const lineEventId = (stream: string, ordinal: number, part: number, bytesHash: string): string =>
  deterministicUuid(`${stream}\u0000${ordinal}\u0000${part}\u0000${bytesHash}`);

/** The position just past a line of `byteLength` bytes at `at`. */
export const positionPast = (at: LogPosition, byteLength: number): LogPosition => ({
  ordinal: at.ordinal + 1,
  byteOffset: at.byteOffset + byteLength + 1,
});

/**
 * The events of lines appended at `at`, and the position past them. A BOM is only allowed on a
 * stream's first line (ordinal 0, offset 0): the line then starts past it, as the file scanner says.
 */
export const draftLineEvents = (
  stream: string,
  lines: ReadonlyArray<LineToStore>,
  at: LogPosition,
  partBytes: number,
): { readonly events: EventDraft[]; readonly next: LogPosition; readonly lineStarts: LogPosition[] } => {
  const events: EventDraft[] = [];
  const lineStarts: LogPosition[] = [];
  let position = at;
  for (const line of lines) {
    const bom = line.bom === true && position.ordinal === 0 && position.byteOffset === 0;
    if (bom) position = { ordinal: 0, byteOffset: BOM_LENGTH };
    lineStarts.push(position);
    const type = eventTypeOf(line.bytes);
    const hash = createHash('sha256').update(line.bytes).digest('hex');
    const parts = Math.max(1, Math.ceil(line.bytes.length / partBytes));
    for (let part = 0; part < parts; part++) {
      const metadata: LineEventMetadata = {
        ordinal: position.ordinal,
        byteOffset: position.byteOffset,
        byteLength: line.bytes.length,
        ...(bom && part === 0 ? { bom: true as const } : {}),
        ...(line.file !== undefined && part === 0 && position.ordinal === 0 ? { file: line.file } : {}),
        ...(parts > 1 ? { part, parts } : {}),
      };
      events.push({
        id: lineEventId(stream, position.ordinal, part, hash),
        type,
        data: line.bytes.subarray(part * partBytes, (part + 1) * partBytes),
        metadata,
      });
    }
    position = positionPast(position, line.bytes.length);
  }
  return { events, next: position, lineStarts };
};

/**
 * The seal of a rollout stream a revision cut (`thread/revert`): appended at the exact revision of
 * the stream's last line, so of a revision and an append cut from one end the store takes exactly
 * one, and the stream takes nothing after it. It names the revision as the file's
 * `.superseded` mark does (relative to the file's folder), the revision's own file and its lines
 * (a revision file is a few small lines: Codex's revisions only name their cut), so whoever finds
 * a seal whose revision stream was never written (its writer stopped in between) writes it, with
 * the same ids: a seal always ends as a whole revision. Not a line: readers of lines skip it.
 */
export const SEAL_TYPE = 'rollout.superseded';
export const StreamSeal = t.type({ revision: t.string, file: t.string, lines: t.array(t.string) });
export type StreamSeal = t.TypeOf<typeof StreamSeal>;

export const isSealEvent = (event: RecordedEvent): boolean => event.type === SEAL_TYPE;

/** The seal's event: its id from the stream and the revision's file, so a retry writes it once. */
export const sealEventOf = (stream: string, seal: StreamSeal): EventDraft => ({
  id: deterministicUuid(`${stream}\u0000seal\u0000${seal.file}`),
  type: SEAL_TYPE,
  data: Buffer.from(JSON.stringify(seal), 'utf8'),
  metadata: { seal: true },
});

/** A seal event's content, decoded (Corrupt if it is not one). */
export const streamSealOf = (event: RecordedEvent): E.Either<EngineError, StreamSeal> => {
  let json: unknown;
  try {
    json = parseJson(Buffer.from(event.data).toString('utf8'));
  } catch {
    json = undefined;
  }
  const decoded = event.type === SEAL_TYPE ? decodeShape(StreamSeal, json) : undefined;
  return decoded !== undefined && E.isRight(decoded)
    ? E.right(decoded.right)
    : E.left(corrupt(event.stream, event.revision, `event ${event.revision} of ${event.stream} is not a seal`));
};

/** A whole line read back from its events. */
export interface StoredLine {
  readonly ordinal: number;
  readonly byteOffset: number;
  readonly bytes: Buffer;
  readonly bom: boolean;
  readonly file: string | undefined;
  /** Revisions of its first and last event. */
  readonly firstRevision: number;
  readonly lastRevision: number;
}

/** The metadata of a read event, decoded (Corrupt if it is not a line event's). */
export const lineMetadataOf = (event: RecordedEvent): E.Either<EngineError, LineEventMetadata> => {
  const decoded = decodeShape(LineEventMetadata, event.metadata);
  return E.isRight(decoded)
    ? E.right(decoded.right)
    : E.left(
        corrupt(event.stream, event.revision, `event ${event.revision} of ${event.stream} is not a rollout line event`),
      );
};

/**
 * Joins events read forwards into whole lines, checking that each continues where the last
 * ended (ordinal, offset, parts). The parts of a line not yet complete are held until its last.
 */
export class LineAssembler {
  private parts: { meta: LineEventMetadata; event: RecordedEvent }[] = [];
  private expected: LogPosition | undefined;

  constructor(
    private readonly stream: string,
    from?: LogPosition,
  ) {
    this.expected = from;
  }

  /** Feed one event; a line when it completes one (a seal is none). */
  push(event: RecordedEvent): E.Either<EngineError, StoredLine | undefined> {
    if (isSealEvent(event))
      return this.parts.length === 0
        ? E.right(undefined)
        : E.left(corrupt(this.stream, event.revision, `a seal cuts line ${this.parts[0]!.meta.ordinal}`));
    const decoded = lineMetadataOf(event);
    if (E.isLeft(decoded)) return decoded;
    const meta = decoded.right;
    const part = meta.part ?? 0;
    const parts = meta.parts ?? 1;
    const first = this.parts[0]?.meta;
    if (part === 0) {
      const at = this.expected;
      const continues =
        this.parts.length === 0 &&
        (at === undefined ||
          (meta.ordinal === at.ordinal &&
            (meta.byteOffset === at.byteOffset ||
              (meta.bom === true && at.byteOffset === 0 && meta.byteOffset === BOM_LENGTH))));
      if (!continues)
        return E.left(
          corrupt(
            this.stream,
            meta.byteOffset,
            `event ${event.revision} does not continue the stream at line ${at?.ordinal ?? '?'}`,
          ),
        );
    } else if (
      first === undefined ||
      first.ordinal !== meta.ordinal ||
      this.parts.length !== part ||
      (first.parts ?? 1) !== parts
    ) {
      return E.left(
        corrupt(
          this.stream,
          meta.byteOffset,
          `event ${event.revision} is an out-of-order part of line ${meta.ordinal}`,
        ),
      );
    }
    this.parts.push({ meta, event });
    if (part < parts - 1) return E.right(undefined);
    const all = this.parts;
    this.parts = [];
    const head = all[0]!;
    const bytes = all.length === 1 ? Buffer.from(head.event.data) : Buffer.concat(all.map((p) => p.event.data));
    if (bytes.length !== meta.byteLength)
      return E.left(
        corrupt(
          this.stream,
          meta.byteOffset,
          `line ${meta.ordinal} has ${bytes.length} bytes, its metadata says ${meta.byteLength}`,
        ),
      );
    this.expected = positionPast(head.meta, meta.byteLength);
    return E.right({
      ordinal: head.meta.ordinal,
      byteOffset: head.meta.byteOffset,
      bytes,
      bom: head.meta.bom === true,
      file: head.meta.file,
      firstRevision: head.event.revision,
      lastRevision: event.revision,
    });
  }

  /** Parts of a line whose last part is not (yet) stored: a torn tail. */
  pending(): { readonly meta: LineEventMetadata; readonly bytes: Buffer } | undefined {
    const head = this.parts[0];
    return head === undefined
      ? undefined
      : { meta: head.meta, bytes: Buffer.concat(this.parts.map((p) => p.event.data)) };
  }
}

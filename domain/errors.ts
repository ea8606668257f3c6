/**
 * The closed error union of the engine. Every port returns these as data (Either/TaskEither);
 * adapters map library/OS errors into them in exactly one place each.
 */
export interface LogPosition {
  /** 0-based index of the line within its file (or stream revision). */
  readonly ordinal: number;
  /** Byte offset where the line starts (for EventStoreDB: undefined semantics, 0). */
  readonly byteOffset: number;
}

export type EngineError =
  /** `words`: the sentence a method says it in, where Codex words it its own way (`protocol/threadIdRule.ts`); else `<what> not found: <id>`. */
  | { readonly _tag: 'NotFound'; readonly what: string; readonly id: string; readonly words?: string }
  | {
      readonly _tag: 'Conflict';
      readonly path: string;
      readonly expected: LogPosition | 'noStream';
      readonly actual: LogPosition | 'noStream';
      /** The file ends as expected but a revision replaced it as its thread's current file. */
      readonly supersededBy?: string;
    }
  | {
      readonly _tag: 'Decode';
      readonly path: string;
      readonly line: number;
      readonly byteOffset: number;
      readonly reason: string;
    }
  /** `words`: the sentence Codex says it in, where it refuses the same data (e.g. a session meta it cannot decode). */
  | {
      readonly _tag: 'Corrupt';
      readonly path: string;
      readonly byteOffset: number;
      readonly reason: string;
      readonly words?: string;
    }
  | {
      readonly _tag: 'Unsupported';
      readonly what: string;
      readonly schemaVersion?: number | string;
      readonly notYet?: true;
    }
  | {
      readonly _tag: 'InvalidArgument';
      readonly field: string;
      readonly reason: string;
      readonly verbatim?: true;
      readonly thread?: RefusedThread;
    }
  | { readonly _tag: 'Io'; readonly path: string; readonly op: string; readonly code: string; readonly message: string }
  | { readonly _tag: 'Timeout'; readonly what: string; readonly ms: number }
  /**
   * A request the API refuses, with the exact words Codex uses (JSON-RPC -32600) and the `data` Codex attaches, if any.
   * `heldBy: 'codex'`: refused because a running Codex has the thread loaded, so `serve --upstream` hands the request to it.
   */
  | {
      readonly _tag: 'Rejected';
      readonly reason: string;
      readonly data?: unknown;
      readonly heldBy?: 'codex';
      readonly thread?: RefusedThread;
    };

/**
 * Why a refusal names a thread id, as data a caller routes on (the CLI's hints): `malformedId`, the
 * id is no UUID; `noRollout`, the method finds no file of the thread where it looks (archived or not).
 */
export interface RefusedThread {
  readonly id: string;
  readonly refused: 'malformedId' | 'noRollout';
}

export type EngineErrorTag = EngineError['_tag'];

/** Every tag of the union, once (a `Record` over the tags makes the compiler keep this list complete). */
const TAG_SET: Readonly<Record<EngineErrorTag, true>> = {
  NotFound: true,
  Conflict: true,
  Decode: true,
  Corrupt: true,
  Unsupported: true,
  InvalidArgument: true,
  Io: true,
  Timeout: true,
  Rejected: true,
};

/** An EngineError passed through code that also sees thrown JS errors (adapters' catch blocks). */
export const isEngineError = (err: unknown): err is EngineError =>
  err !== null &&
  typeof err === 'object' &&
  !(err instanceof Error) &&
  Object.prototype.hasOwnProperty.call(TAG_SET, String((err as { _tag?: unknown })._tag));

export const notFound = (what: string, id: string): EngineError => ({ _tag: 'NotFound', what, id });
export const conflict = (
  path: string,
  expected: LogPosition | 'noStream',
  actual: LogPosition | 'noStream',
  supersededBy?: string,
): EngineError => ({
  _tag: 'Conflict',
  path,
  expected,
  actual,
  ...(supersededBy === undefined ? {} : { supersededBy }),
});
export const decodeError = (path: string, line: number, byteOffset: number, reason: string): EngineError => ({
  _tag: 'Decode',
  path,
  line,
  byteOffset,
  reason,
});
export const corrupt = (path: string, byteOffset: number, reason: string): EngineError => ({
  _tag: 'Corrupt',
  path,
  byteOffset,
  reason,
});
export const unsupported = (what: string, schemaVersion?: number | string): EngineError =>
  schemaVersion === undefined ? { _tag: 'Unsupported', what } : { _tag: 'Unsupported', what, schemaVersion };
export const invalidArgument = (field: string, reason: string): EngineError => ({
  _tag: 'InvalidArgument',
  field,
  reason,
});
/** A value refused in another program's own words (Codex's), said as they are, not as `invalid <field>: …`. */
export const refusedValue = (field: string, words: string): EngineError => ({
  _tag: 'InvalidArgument',
  field,
  reason: words,
  verbatim: true,
});
export const ioError = (path: string, op: string, code: string, message: string): EngineError => ({
  _tag: 'Io',
  path,
  op,
  code,
  message,
});
/** A method Codex does not serve for this history yet, in its words (`<method> is not supported yet`, -32601). */
export const notSupportedYet = (method: string): EngineError => ({ _tag: 'Unsupported', what: method, notYet: true });
export const timeout = (what: string, ms: number): EngineError => ({ _tag: 'Timeout', what, ms });
export const rejected = (reason: string, data?: unknown): EngineError =>
  data === undefined ? { _tag: 'Rejected', reason } : { _tag: 'Rejected', reason, data };
/** A change refused because a running Codex has the thread loaded (its writer lock is held): the cause the upstream route reads. */
export const heldByCodex = (reason: string): EngineError => ({ _tag: 'Rejected', reason, heldBy: 'codex' });
/** The refusal with the thread id it is about, and why (`RefusedThread`). */
export const aboutThread = (e: EngineError, id: string, refused: RefusedThread['refused']): EngineError =>
  e._tag === 'Rejected' || e._tag === 'InvalidArgument' ? { ...e, thread: { id, refused } } : e;
/** The thread id a refusal is about, if it says. */
export const refusedThreadOf = (e: EngineError): RefusedThread | undefined =>
  e._tag === 'Rejected' || e._tag === 'InvalidArgument' ? e.thread : undefined;
/** A refusal because a running Codex has the thread loaded. */
export const isHeldByCodex = (e: EngineError): boolean => e._tag === 'Rejected' && e.heldBy === 'codex';

const renderPosition = (p: LogPosition | 'noStream'): string =>
  p === 'noStream' ? 'no stream' : `line ${p.ordinal} @ byte ${p.byteOffset}`;

/** One readable sentence per error, for CLI output and logs. */
export const renderError = (e: EngineError): string => {
  switch (e._tag) {
    case 'NotFound':
      return e.words ?? `${e.what} not found: ${e.id}`;
    case 'Conflict':
      return e.supersededBy === undefined
        ? `append conflict on ${e.path}: expected ${renderPosition(e.expected)}, found ${renderPosition(e.actual)}`
        : `append conflict on ${e.path}: superseded by the revision ${e.supersededBy}`;
    case 'Decode':
      return `cannot decode ${e.path} line ${e.line} (byte ${e.byteOffset}): ${e.reason}`;
    case 'Corrupt':
      if (e.words !== undefined) return e.words;
      return `corrupt data in ${e.path} at byte ${e.byteOffset}: ${e.reason}`;
    case 'Unsupported':
      if (e.notYet === true) return `${e.what} is not supported yet`;
      return e.schemaVersion === undefined
        ? `unsupported: ${e.what}`
        : `unsupported: ${e.what} (schema version ${String(e.schemaVersion)})`;
    case 'InvalidArgument':
      return e.verbatim === true ? e.reason : `invalid ${e.field}: ${e.reason}`;
    case 'Io':
      return `${e.op} ${e.path} failed (${e.code}): ${e.message}`;
    case 'Timeout':
      return `${e.what} timed out after ${e.ms} ms`;
    case 'Rejected':
      return e.reason;
  }
};

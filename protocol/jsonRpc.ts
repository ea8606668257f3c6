import * as t from 'io-ts';

/** The largest id magnitude answered exactly: a JSON number beyond it is read rounded (2^53 + 1 as 2^53). */
export const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;

/**
 * A request's id as Codex's `RequestId` takes it (a string or an `i64`), as far as it can be
 * echoed exactly: an integer within ±(2^53 - 1). A fraction or `1e400` (read as Infinity, written
 * back as `null`) is not an id Codex takes; a larger integer Codex takes but we would answer
 * rounded, under an id the client cannot match: both are refused, never run.
 */
const isRequestNumber = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u);
const RequestNumber = new t.Type<number, number, unknown>(
  `an integer from ${-MAX_SAFE_ID} to ${MAX_SAFE_ID}`,
  isRequestNumber,
  (u, c) => (isRequestNumber(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** Incoming JSON-RPC messages: a request has an id, a notification has none. */
const Id = t.union([t.string, RequestNumber]);

export const RpcRequest = t.intersection([
  t.type({ id: Id, method: t.string }),
  t.partial({ jsonrpc: t.literal('2.0'), params: t.unknown }),
]);
export type RpcRequest = t.TypeOf<typeof RpcRequest>;

export const RpcNotification = t.intersection([
  t.type({ method: t.string }),
  t.partial({ jsonrpc: t.literal('2.0'), params: t.unknown }),
]);
export type RpcNotification = t.TypeOf<typeof RpcNotification>;

/** A value that is there (`null` included): a JSON field that is present. */
const Present = new t.Type<unknown>(
  'a value',
  (u): u is unknown => u !== undefined,
  (u, c) => (u !== undefined ? t.success(u) : t.failure(u, c)),
  t.identity,
);

const RpcErrorShape = t.intersection([t.type({ code: t.Int, message: t.string }), t.partial({ data: t.unknown })]);

/** An answer to a request: its id and a `result`, or an `error` of a whole-number code and a message. */
export const RpcResponse = t.intersection([
  t.type({ id: Id }),
  t.union([t.type({ result: Present }), t.type({ error: RpcErrorShape })]),
  t.partial({ jsonrpc: t.literal('2.0') }),
]);

/**
 * What a JSON-RPC server (`serve --upstream`'s Codex) may send its client: a request of its own,
 * a notification (no id), or an answer. Anything else (`null`, a number, an array, a method that
 * is not a string, an id that is neither a string nor a safe integer) is not a message.
 */
export const RpcMessageFromServer = t.union([
  RpcRequest,
  t.intersection([RpcNotification, t.type({ id: t.undefined })]),
  RpcResponse,
]);
export type RpcMessageFromServer = t.TypeOf<typeof RpcMessageFromServer>;

/** `null` / absent optional fields, as Codex's `Option<T>` params accept them: the same rule as a rollout line's Options. */
export { optional } from '../domain/rollout/kinds/common.js';

/**
 * Codex's `u32` (page sizes, turn counts): a whole number from 0 to 2^32 - 1. Codex refuses -1,
 * 1.5 and "ten" alike; so do we, and so does the CLI, which decodes its options with these codecs.
 */
const isU32 = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 0xffffffff;
export const U32 = new t.Type<number, number, unknown>(
  'a whole number from 0 to 4294967295',
  isU32,
  (u, c) => (isU32(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

export const SortDirection = t.keyof({ asc: null, desc: null });
export const ItemsView = t.keyof({ notLoaded: null, summary: null, full: null });

/** An error answer. */
export interface RpcError {
  readonly code: number;
  readonly message: string;
  /** Details a client acts on (a Conflict's expected and actual ends). */
  readonly data?: unknown;
}

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/**
 * A request refused because the server's queues are full, in Codex's words and code; the `data`
 * is what Codex's own SDK looks for to retry (Codex itself sends none).
 */
export const SERVER_OVERLOADED: RpcError = {
  code: -32001,
  message: 'Server overloaded; retry later.',
  data: { codex_error_info: 'server_overloaded' },
};

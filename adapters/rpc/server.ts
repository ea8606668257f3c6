import type { Readable, Writable } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import { renderDecodeErrors } from '../../domain/decodeErrors.js';
import type { HomelessRpcMethod, RpcContext, RpcMethod } from './method.js';
import type { RpcError } from './errors.js';
import { INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, toRpcError } from './errors.js';
import { RpcNotification, RpcRequest } from './protocol.js';
import { withQuarantineNotice } from './quarantineNotice.js';
import { DEFAULT_MAX_REQUEST_BYTES } from './boundedLines.js';
import type { RpcConnection } from './connection.js';
import { lineConnection } from './connection.js';
import { LoadedThreads } from './loadedThreads.js';
import { isEngineError } from '../../domain/errors.js';
import type { EngineError } from '../../domain/errors.js';

type Id = string | number | null;

/** What the server answers with: the home's context and its methods. */
export interface RpcService {
  readonly ctx: Omit<RpcContext, 'notify' | 'loaded'>;
  readonly methods: ReadonlyArray<RpcMethod>;
}

/**
 * A service whose home is still opening (`serve` on a big home loads the engine, opens and
 * migrates the index): the `early` methods, which need no home (`initialize`), are answered at
 * once; any other request waits for `open`, called once (after the first answer, or when the
 * client is quiet). When the home cannot be opened, the request waiting for it is answered with
 * the error and the server stops reading.
 */
export interface OpeningService {
  readonly codexHome: string;
  readonly early: ReadonlyArray<HomelessRpcMethod>;
  readonly open: () => Promise<E.Either<EngineError, RpcService>>;
}

/** The loaded threads of a service, one registry for all its connections (Codex's are server-wide). */
const loadedOf = new WeakMap<RpcService, LoadedThreads>();
const loadedThreadsOf = (s: RpcService): LoadedThreads => {
  let l = loadedOf.get(s);
  if (l === undefined) loadedOf.set(s, (l = new LoadedThreads()));
  return l;
};

/** `initialize.capabilities.optOutNotificationMethods`: the notifications this connection does not want (exact method names, as Codex matches them). */
const optedOutOf = (params: unknown): ReadonlySet<string> => {
  const methods = (params as { capabilities?: { optOutNotificationMethods?: unknown } } | null | undefined)?.capabilities?.optOutNotificationMethods;
  return new Set(Array.isArray(methods) ? methods.filter((m): m is string => typeof m === 'string') : []);
};

/** How long a quiet client leaves the home unopened: the first message normally comes at once. */
const OPEN_WHEN_QUIET_MS = 20;

/**
 * JSON-RPC 2.0 with one client, as `codex app-server` speaks it: `initialize` first (then the
 * client's `initialized` notification), requests answered in order. Params are decoded with each
 * method's io-ts codec (-32602 with a readable reason); unknown methods get -32601. A message over
 * the transport's limit is refused (-32600) without being held. Resolves when the client's
 * messages end.
 *
 * An answer is sent as it is produced (`streamedJson.ts`: `thread/read` streams its turns).
 * An error met while streaming it (a rollout file rewritten under the index) is still answered:
 * the transport marks the cut message (on a line stream: before the first 64 KiB were written,
 * nothing was; after, the cut line is ended with a newline, so no client takes it for the answer)
 * and the error follows.
 */
export const serveConnection = async (connection: RpcConnection, service: RpcService | OpeningService): Promise<void> => {
  const write = connection.send;
  let initialized = false;
  // A handler's notifications are held and sent around its answer in the order Codex uses.
  let before: unknown[] = [];
  let after: unknown[] = [];
  let optedOut: ReadonlySet<string> = new Set();
  const notify = (method: string, params: unknown, when: 'beforeAnswer' | 'afterAnswer' = 'beforeAnswer'): void => {
    if (!optedOut.has(method)) (when === 'afterAnswer' ? after : before).push({ jsonrpc: '2.0', method, params });
  };
  const fail = (id: Id, error: RpcError) => write({ jsonrpc: '2.0', id, error });

  type Answering = { readonly byName: ReadonlyMap<string, RpcMethod>; readonly ctx: RpcContext };
  const answeringWith = (s: RpcService): Answering => ({
    byName: new Map(s.methods.map((m) => [m.name, m])),
    ctx: { ...s.ctx, ports: withQuarantineNotice(s.ctx.ports, notify), notify, loaded: loadedThreadsOf(s) },
  });
  const early = new Map('early' in service ? service.early.map((m) => [m.name, m]) : []);
  const earlyCtx = { codexHome: 'early' in service ? service.codexHome : service.ctx.codexHome, notify };
  let opened: Answering | null = 'early' in service ? null : answeringWith(service);
  let opening: Promise<E.Either<EngineError, Answering>> | null = null;
  /** The opened service, opening it on first need. */
  const open = (): Promise<E.Either<EngineError, Answering>> => {
    if (opened !== null || !('early' in service)) return Promise.resolve(E.right(opened!));
    opening ??= service.open().then(E.map((s) => (opened = answeringWith(s))));
    return opening;
  };
  // Opened after the first answer, or once the client has been quiet for a moment: the first
  // answer does not wait for the engine's modules and the index.
  const quiet = 'early' in service ? setTimeout(() => void open(), OPEN_WHEN_QUIET_MS) : null;
  let stopped = false;

  /** The method a request names, with the context it runs in (a homeless one while the home opens); the home's error if it could not be opened. */
  const methodFor = async (
    name: string,
  ): Promise<
    E.Either<EngineError, { readonly method: HomelessRpcMethod | RpcMethod; readonly run: (params: unknown) => ReturnType<RpcMethod['handle']> } | undefined>
  > => {
    const homeless = opened === null ? early.get(name) : undefined;
    if (homeless !== undefined) return E.right({ method: homeless, run: (params) => homeless.handle(earlyCtx, params) });
    const now = await open();
    if (E.isLeft(now)) return now;
    const m = now.right.byName.get(name);
    return E.right(m === undefined ? undefined : { method: m, run: (params) => m.handle(now.right.ctx, params) });
  };

  const handle = async (text: string): Promise<void> => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return fail(null, { code: PARSE_ERROR, message: `Parse error: ${(e as Error).message}` });
    }
    if (RpcRequest.is(json)) {
      const { id, method } = json;
      answering = id;
      const lookedUp = await methodFor(method);
      if (E.isLeft(lookedUp)) {
        stopped = true;
        return fail(id, toRpcError(lookedUp.left, method));
      }
      const found = lookedUp.right;
      if (found === undefined) return fail(id, { code: METHOD_NOT_FOUND, message: `method not found: ${method}` });
      if (method === 'initialize' && initialized) return fail(id, { code: INVALID_REQUEST, message: 'Already initialized' });
      if (method !== 'initialize' && !initialized) return fail(id, { code: INVALID_REQUEST, message: 'Not initialized' });
      const params = found.method.params.decode(json.params);
      if (E.isLeft(params)) return fail(id, { code: INVALID_PARAMS, message: `Invalid params for ${method}: ${renderDecodeErrors(params.left)}` });
      if (method === 'initialize') {
        initialized = true;
        optedOut = optedOutOf(params.right);
      }
      const result = await found.run(params.right)();
      const [first, then] = [before, after];
      before = [];
      after = [];
      for (const n of first) await write(n);
      if (E.isLeft(result)) await fail(id, toRpcError(result.left, method));
      else
        await write({ jsonrpc: '2.0', id, result: result.right }).catch((err: unknown) => {
          if (isEngineError(err)) return fail(id, toRpcError(err, method));
          throw err;
        });
      for (const n of then) await write(n);
      return;
    }
    // A request with an id that is neither a string nor a number (null, an object): refused, not
    // taken for a notification (a client waiting on it would wait forever).
    if (typeof json === 'object' && json !== null && 'id' in json && 'method' in json)
      return fail(null, { code: INVALID_REQUEST, message: 'Invalid request: id must be a string or a number' });
    if (RpcNotification.is(json)) return; // `initialized` and other client notifications need no answer
    if (typeof json === 'object' && json !== null && 'id' in json && ('result' in json || 'error' in json)) return; // a client's response
    return fail(null, { code: INVALID_REQUEST, message: 'Invalid request: not a JSON-RPC request or notification' });
  };

  // The id of the request being answered: a failure no handler turned into an error still gets
  // an answer (-32603), and the server goes on with the next line.
  let answering: Id = null;
  for await (const line of connection.messages) {
    if (line.kind === 'tooLong') {
      await fail(null, { code: INVALID_REQUEST, message: `Invalid request: a message of ${line.bytes} bytes is over the limit of ${connection.maxMessageBytes} bytes` });
      continue;
    }
    if (line.text.trim() === '') continue;
    answering = null;
    try {
      await handle(line.text);
    } catch (err) {
      before = [];
      after = [];
      await fail(answering, { code: INTERNAL_ERROR, message: `Internal error: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (stopped) break;
    if (quiet !== null) {
      clearTimeout(quiet);
      void open();
    }
  }
  if (quiet !== null) clearTimeout(quiet);
  // A client gone before the home opened still has it opened (and its error said): serve checks
  // its home whatever the client did, and its owner closes it once open.
  if ('early' in service) await open();
};

/** JSON-RPC on stdio (or any byte stream pair), one message per line; a line over `maxRequestBytes` is refused without being held. */
export const serveJsonRpc = (
  input: Readable,
  output: Writable,
  service: RpcService | OpeningService,
  maxRequestBytes: number = DEFAULT_MAX_REQUEST_BYTES,
): Promise<void> => serveConnection(lineConnection(input, output, maxRequestBytes), service);

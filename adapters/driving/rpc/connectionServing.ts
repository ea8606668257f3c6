// One connection served (server.ts `createRpcServer` serves each with `serveOne`): its reading
// loop, `initialize`, the dispatch of a message, a request's acceptance (the home, its params, the
// scheduler) and its run; what a connection holds is a `Served`, what the server shares a `Shared`.
import * as E from 'fp-ts/lib/Either.js';
import { invalidParamsMessage, unknownMethodRefusal } from '../../../protocol/requestErrors.js';
import { clientCapabilitiesOf } from '../../../protocol/server.js';
import {
  connectionVersion,
  NEWEST_CODEX_VERSION,
  paramsAt,
  spokenAt,
  versionOfUserAgent,
} from '../../../protocol/codexVersions.js';
import { answerAt, itemAbsentAt, methodAnswerAt } from '../../../protocol/itemDeltas.js';
import { notificationSpokenAt } from '../../../protocol/notifications.js';
import type { CodexVersion } from '../../../protocol/codexVersions.js';
import type { RpcContext, RpcMethod, ServerLoad } from './method.js';
import { toRpcError } from './errors.js';
import {
  INTERNAL_ERROR,
  INVALID_REQUEST,
  MAX_SAFE_ID,
  METHOD_NOT_FOUND,
  PARSE_ERROR,
  RpcNotification,
  RpcRequest,
  SERVER_OVERLOADED,
} from '../../../protocol/jsonRpc.js';
import type { RpcError } from '../../../protocol/jsonRpc.js';
import { messageBoundsRefusal } from './messageBounds.js';
import type { InputLine } from './boundedLines.js';
import type { RpcConnection } from './connection.js';
import { connectionUpstream } from './connectionUpstream.js';
import type { Answering, homeOpening } from './homeOpening.js';
import { peerOutbox } from './peerOutbox.js';
import type { createScheduler } from './scheduler.js';
import { mapStreams } from './streamedJson.js';
import type { ConnectionThreads } from './threadSubscriptions.js';
import type { LoadedThreads } from './loadedThreads.js';
import { isEngineError, isHeldByCodex } from '../../../domain/errors.js';
import type { EngineError } from '../../../domain/errors.js';
import type { RpcServerOptions } from './serverOptions.js';

type Id = string | number | null;

/** What every connection of one server shares. */
export interface Shared {
  readonly options: RpcServerOptions;
  readonly maxRequestsPerConnection: number;
  readonly scheduler: ReturnType<typeof createScheduler>;
  readonly load: ServerLoad;
  readonly loaded: LoadedThreads;
  readonly home: ReturnType<typeof homeOpening>;
  /** Waits for the home to open, counted among the requests queued. */
  readonly openHome: () => Promise<E.Either<EngineError, Answering>>;
  /** What each connection's reading loop does when shutdown starts (registered while it reads, removed after). */
  readonly onShutdown: Set<() => void>;
  readonly shuttingDown: () => boolean;
}

/** An error saying the index has no such thread. */
const isUnknownThread = (e: EngineError): boolean => e._tag === 'NotFound' && e.what === 'thread';

/** Thrown into a streamed answer whose client is gone: the stream stops at its next piece. */
class ClientGone extends Error {}

const message = (id: Id, error: RpcError) => ({ jsonrpc: '2.0', id, error });

/** One connection being served: what `initialize` set, its outbox, its upstream link, its requests under way. */
interface Served {
  readonly connection: RpcConnection;
  readonly owner: object;
  initialized: boolean;
  experimentalApi: boolean;
  clientName: string | undefined;
  codexVersion: CodexVersion;
  optedOut: ReadonlySet<string>;
  reading: boolean;
  clientEnded: boolean;
  metHomeError: boolean;
  readonly gone: () => boolean;
  // Messages leave one after another, bounded (`peerOutbox.ts`): a request's notifications and
  // answer go out as one group; a notification, the upstream's or a followed thread's, alone.
  readonly outbox: ReturnType<typeof peerOutbox>;
  readonly fail: (id: Id, error: RpcError) => Promise<void>;
  /** The threads this connection follows: their live notifications go out between whole messages, what one look at a thread found as one group. */
  threads: ConnectionThreads | undefined;
  /** --upstream: this connection's link and the upstream's requests awaiting the client. */
  readonly upstream: ReturnType<typeof connectionUpstream> | undefined;
  /** This connection's running requests, by id: a cancel (`thread/search/cancel`) finds its target here. */
  readonly running: Map<string, { readonly method: string; readonly controller: AbortController }>;
  /** Requests accepted and not yet answered (or skipped); the connection is served once none is left. */
  pending: number;
  allAnswered: () => void;
  stopSeen: boolean;
  wakeStop: ((v: 'stop') => void) | undefined;
}

const served = (s: Shared, connection: RpcConnection): Served => {
  const outbox = peerOutbox(connection);
  const c: Served = {
    connection,
    owner: {},
    initialized: false,
    experimentalApi: false,
    clientName: undefined,
    codexVersion: s.options.codexVersion ?? NEWEST_CODEX_VERSION,
    optedOut: new Set(),
    reading: true,
    clientEnded: false,
    metHomeError: false,
    gone: () => connection.closed?.aborted ?? c.clientEnded,
    outbox,
    fail: (id, error) => outbox.enqueue(() => connection.send(message(id, error))),
    threads: undefined,
    upstream: undefined,
    running: new Map(),
    pending: 0,
    allAnswered: () => undefined,
    stopSeen: false,
    wakeStop: undefined,
  };
  const up = s.options.upstream;
  return up === undefined
    ? c
    : Object.assign(c, { upstream: connectionUpstream(up.upstream, connection, outbox, c.gone) });
};

/** Serve one client until its messages end (or the server shuts down) and every request it made is answered, or skipped when it is gone. */
export const serveOne = async (s: Shared, connection: RpcConnection): Promise<void> => {
  const c = served(s, connection);
  // The client can take nothing more (gone, or dropped for not reading): its queue is skipped and its messages read no more.
  const onClosed = (): void => {
    s.scheduler.dropQueued(c.owner);
    stopReading(c);
  };
  connection.closed?.addEventListener('abort', onClosed);
  const stop = (): void => stopReading(c);
  s.onShutdown.add(stop);
  await readMessages(s, c);
  c.reading = false;
  s.onShutdown.delete(stop);
  if (c.pending > 0) await new Promise<void>((resolve) => (c.allAnswered = resolve));
  c.threads?.close();
  c.upstream?.close();
  await c.outbox.drained();
  connection.closed?.removeEventListener('abort', onClosed);
};

// The wait for the next message ends at a message, or when reading stops (the connection) or
// shutdown starts (the server). Not a race of each wait against two promises that settle only
// then: every race leaves a reaction on them, held until they settle (a long-lived server's
// memory grew by every message it read).
const stopReading = (c: Served): void => {
  c.stopSeen = true;
  c.wakeStop?.('stop');
};

/** The reading loop: one message dispatched at a time, until the messages end, reading stops or shutdown starts. */
const readMessages = async (s: Shared, c: Served): Promise<void> => {
  const { connection } = c;
  const messages = connection.messages[Symbol.asyncIterator]();
  const nextMessage = (): Promise<IteratorResult<InputLine> | 'stop'> =>
    c.stopSeen
      ? Promise.resolve('stop')
      : new Promise((resolve, reject) => {
          c.wakeStop = resolve;
          messages.next().then(resolve, reject);
        });
  while (c.reading && !s.shuttingDown()) {
    const next = await nextMessage();
    c.wakeStop = undefined;
    if (next === 'stop') {
      void messages.return?.();
      break;
    }
    if (next.done === true) {
      // Without a `closed` signal the end of the messages is the client's end: what it queued is skipped.
      c.clientEnded = true;
      if (connection.closed === undefined) s.scheduler.dropQueued(c.owner);
      break;
    }
    const line = next.value;
    if (line.kind === 'tooLong') {
      void c
        .fail(null, {
          code: INVALID_REQUEST,
          message: `Invalid request: a message of ${line.bytes} bytes is over the limit of ${connection.maxMessageBytes} bytes`,
        })
        .catch(() => undefined);
      continue;
    }
    await dispatch(s, c, line.bytes).catch(internalError(c, null));
    s.home.openSoon();
  }
};

/** A failure no handler turned into an error still gets an answer (-32603); the server goes on. */
const internalError = (c: Served, id: Id) => (err: unknown) =>
  c.gone()
    ? undefined
    : c
        .fail(id, {
          code: INTERNAL_ERROR,
          message: `Internal error: ${err instanceof Error ? err.message : String(err)}`,
        })
        .catch(() => undefined);

/** One message: a request (`initialize`, or one accepted to run), a notification, or a client's reply to the upstream. */
const dispatch = async (s: Shared, c: Served, bytes: Buffer): Promise<void> => {
  // Nesting and values bounded before anything is decoded or built (`messageBounds.ts`).
  const refusal = await messageBoundsRefusal(bytes);
  if (refusal !== null) return c.fail(null, { code: PARSE_ERROR, message: `Parse error: ${refusal}` });
  const text = bytes.toString('utf8');
  if (text.trim() === '') return;
  let json: unknown;
  try {
    // Bounded to the same depth already (messageBounds.ts, scanned a slice per turn): not scanned again here.
    // eslint-disable-next-line no-restricted-properties
    json = JSON.parse(text);
  } catch (e) {
    return c.fail(null, { code: PARSE_ERROR, message: `Parse error: ${(e as Error).message}` });
  }
  if (RpcRequest.is(json)) {
    const { id, method } = json;
    if (method === 'initialize') return initialize(s, c, id, json.params);
    if (!c.initialized) return c.fail(id, { code: INVALID_REQUEST, message: 'Not initialized' });
    if (c.pending >= s.maxRequestsPerConnection) {
      s.options.onOverload?.(method);
      return c.fail(id, SERVER_OVERLOADED);
    }
    c.pending++;
    void accept(s, c, id, method, json.params)
      .catch(internalError(c, id))
      .finally(() => {
        c.pending--;
        if (c.pending === 0) c.allAnswered();
      });
    return;
  }
  // A request whose id is not a string or a safe integer (null, an object, 1.5, 1e400, 2^60):
  // refused and never run, not taken for a notification (a client waiting on it would wait
  // forever) nor answered under an id it cannot match (`protocol/jsonRpc.ts`).
  if (typeof json === 'object' && json !== null && 'id' in json && 'method' in json)
    return c.fail(null, {
      code: INVALID_REQUEST,
      message: `Invalid request: id must be a string or an integer from ${-MAX_SAFE_ID} to ${MAX_SAFE_ID}`,
    });
  if (RpcNotification.is(json)) {
    // `initialized` and other client notifications need no answer; the upstream is told of them.
    c.upstream?.notify(json.method, json.params);
    return;
  }
  if (typeof json === 'object' && json !== null && 'id' in json && ('result' in json || 'error' in json)) {
    // A client's reply: to a request the upstream made, it goes back under the upstream's id.
    c.upstream?.reply(json as { id: unknown; result?: unknown; error?: unknown });
    return;
  }
  return c.fail(null, { code: INVALID_REQUEST, message: 'Invalid request: not a JSON-RPC request or notification' });
};

/** `initialize`: answered in order, before the next message is read: the requests behind it see the connection initialized. */
const initialize = async (s: Shared, c: Served, id: Id, rawParams: unknown): Promise<void> => {
  if (c.initialized) return c.fail(id, { code: INVALID_REQUEST, message: 'Already initialized' });
  const homeless = s.home.early.get('initialize');
  const opened = s.home.current();
  const init = homeless ?? opened?.byName.get('initialize');
  if (init === undefined) return c.fail(id, { code: METHOD_NOT_FOUND, message: 'method not found: initialize' });
  const params = init.params.decode(rawParams);
  if (E.isLeft(params))
    return c.fail(id, { code: INVALID_REQUEST, message: invalidParamsMessage(params.left, rawParams) });
  c.initialized = true;
  ({ experimentalApi: c.experimentalApi, optedOut: c.optedOut } = clientCapabilitiesOf(params.right));
  const clientInfo = (rawParams as { clientInfo?: { name?: unknown } } | undefined)?.clientInfo;
  const name = clientInfo?.name;
  c.clientName = typeof name === 'string' ? name : undefined;
  // With an upstream the client sees the upstream's answer (its Codex version, its user agent),
  // and the server speaks the upstream's version; without one reachable, ours, and history is
  // served all the same.
  c.upstream?.initialized(rawParams);
  const upstreamInit = c.upstream === undefined ? undefined : (await c.upstream.link()).init;
  const upstreamResult =
    upstreamInit !== undefined && 'result' in upstreamInit
      ? (upstreamInit.result as { userAgent?: unknown } | undefined)
      : undefined;
  c.codexVersion = connectionVersion(versionOfUserAgent(upstreamResult?.userAgent) ?? c.codexVersion, clientInfo);
  s.options.onConnectionVersion?.(c.codexVersion, c.clientName);
  const notify = (): void => undefined;
  const codexVersion = c.codexVersion;
  const result = await (
    homeless !== undefined
      ? homeless.handle({ codexHome: s.home.codexHome, notify, codexVersion }, params.right)
      : init.handle({ ...opened!.ctx, notify, load: s.load, loaded: s.loaded, codexVersion }, params.right)
  )();
  if (E.isLeft(result)) return c.fail(id, toRpcError(result.left));
  const answer = upstreamResult !== undefined ? upstreamResult : result.right;
  return c.outbox.enqueue(() => c.connection.send({ jsonrpc: '2.0', id, result: answer }));
};

/** A request after `initialize`: waits for the home, is decoded, then scheduled; resolves once it is answered, refused or skipped. */
const accept = async (s: Shared, c: Served, id: Id, name: string, rawParams: unknown): Promise<void> => {
  // Not ours to answer with an upstream: it never waits for the home.
  if (c.upstream !== undefined && !s.options.upstream!.answeredHere.has(name))
    return c.upstream.forward(id, name, rawParams);
  const opened = s.home.current();
  const homeless = opened === null ? s.home.early.get(name) : undefined;
  if (homeless !== undefined) {
    const params = homeless.params.decode(rawParams);
    if (E.isLeft(params))
      return c.fail(id, { code: INVALID_REQUEST, message: invalidParamsMessage(params.left, rawParams) });
    const result = await homeless.handle(
      { codexHome: s.home.codexHome, notify: () => undefined, codexVersion: c.codexVersion },
      params.right,
    )();
    return E.isLeft(result)
      ? c.fail(id, toRpcError(result.left))
      : c.outbox.enqueue(() => c.connection.send({ jsonrpc: '2.0', id, result: result.right }));
  }
  const now: E.Either<EngineError, Answering> = opened !== null ? E.right(opened) : await s.openHome();
  if (E.isLeft(now)) {
    // The first request to meet the home's error answers it; the connection reads no more.
    if (c.metHomeError) return;
    c.metHomeError = true;
    c.reading = false;
    stopReading(c);
    return c.fail(id, toRpcError(now.left));
  }
  if (c.gone()) return;
  const found = now.right.byName.get(name);
  // A method added after the connection's version is unknown to it, as it is to that Codex.
  const method = found !== undefined && spokenAt(found, c.codexVersion) ? found : undefined;
  if (method === undefined) return c.fail(id, unknownMethodRefusal(name, c.codexVersion));
  if (method.experimental === true && !c.experimentalApi)
    return c.fail(id, { code: INVALID_REQUEST, message: `${name} requires experimentalApi capability` });
  const params = method.params.decode(paramsAt(method, c.codexVersion, rawParams));
  if (E.isLeft(params))
    return c.fail(id, { code: INVALID_REQUEST, message: invalidParamsMessage(params.left, rawParams) });
  const answering = now.right;
  return new Promise<void>((resolve) => {
    const accepted = s.scheduler.submit({
      owner: c.owner,
      scope: method.scope(params.right),
      run: () => run(s, c, id, method, params.right, answering, rawParams).catch(internalError(c, id)).finally(resolve),
      skipped: resolve,
    });
    if (!accepted) {
      s.options.onOverload?.(name);
      void c.fail(id, SERVER_OVERLOADED).finally(resolve);
    }
  });
};

/** A notification this connection opted out of (`initialize`) is never sent to it. */
const wanted = (c: Served, m: unknown): boolean => !c.optedOut.has((m as { method?: string }).method ?? '');

const threadsOf = (c: Served, answering: Answering): ConnectionThreads =>
  (c.threads ??= answering.hub.connect((messages) => {
    const mine = c.gone()
      ? []
      : messages.filter((m) => wanted(c, m) && !itemAbsentAt(c.codexVersion, (m as { params?: unknown }).params));
    return mine.length === 0 ? Promise.resolve() : c.outbox.sendAll(mine.map((m) => answerAt(c.codexVersion, m)));
  }));

/** A streamed answer stops at its next piece once the client is gone. */
const untilGone =
  (c: Served) =>
  (stream: AsyncIterable<unknown>): AsyncIterable<unknown> =>
    (async function* () {
      for await (const piece of stream) {
        if (c.gone()) throw new ClientGone();
        yield piece;
      }
    })();

/** Run one request's handler with its own notifications, and send them with its answer. */
const run = async (
  s: Shared,
  c: Served,
  id: Id,
  method: RpcMethod,
  params: unknown,
  answering: Answering,
  rawParams: unknown,
): Promise<void> => {
  const { codexVersion, optedOut, connection } = c;
  const before: unknown[] = [];
  const after: unknown[] = [];
  const notify = (name: string, p: unknown, when: 'beforeAnswer' | 'afterAnswer' = 'beforeAnswer'): void => {
    if (!optedOut.has(name) && notificationSpokenAt(name, codexVersion) && !itemAbsentAt(codexVersion, p))
      (when === 'afterAnswer' ? after : before).push({
        jsonrpc: '2.0',
        method: name,
        params: answerAt(codexVersion, p),
      });
  };
  const push = (name: string, p: unknown): void => {
    if (!optedOut.has(name) && !c.gone() && notificationSpokenAt(name, codexVersion) && !itemAbsentAt(codexVersion, p))
      void c.outbox
        .sendAll([{ jsonrpc: '2.0', method: name, params: answerAt(codexVersion, p), emittedAtMs: Date.now() }])
        .catch(() => undefined);
  };
  const cancel = (name: string, requestId: unknown): void => {
    const r = c.running.get(JSON.stringify(requestId));
    if (r?.method === name) r.controller.abort();
  };
  const ctx: RpcContext = {
    ...answering.ctx,
    notify,
    load: s.load,
    loaded: s.loaded,
    threads: threadsOf(c, answering),
    ...(c.clientName === undefined ? {} : { clientName: c.clientName }),
    codexVersion,
    push,
    requestId: id,
    cancel,
  };
  const key = JSON.stringify(id);
  const controller = new AbortController();
  c.running.set(key, { method: method.name, controller });
  // Awaited as it is, no `.finally` chained: a chained promise answers a few microtasks later,
  // past a client's end read meanwhile, and the answer of a request released just before it was dropped.
  let result: Awaited<ReturnType<ReturnType<RpcMethod['handle']>>>;
  try {
    result = await method.handle({ ...ctx, cancelled: controller.signal }, params)();
  } finally {
    c.running.delete(key);
  }
  if (c.gone()) return;
  // A change to a thread the upstream Codex has loaded is the upstream's to make (it holds the history in memory);
  // a thread the index does not know may be one the upstream holds with no rollout yet (just
  // started through it): the upstream answers it, as it would without us.
  if (c.upstream !== undefined && E.isLeft(result) && (isHeldByCodex(result.left) || isUnknownThread(result.left)))
    return c.upstream.forward(id, method.name, rawParams);
  await c.outbox.enqueue(async () => {
    for (const n of before) await connection.send(n);
    if (E.isLeft(result)) await connection.send(message(id, toRpcError(result.left)));
    else
      // Its fields and items as the connection's version answers them (`methodAnswerAt`).
      await connection
        .send({
          jsonrpc: '2.0',
          id,
          result: mapStreams(methodAnswerAt(method, codexVersion, result.right), untilGone(c)),
        })
        .catch((err: unknown) => {
          if (err instanceof ClientGone || c.gone()) return;
          if (isEngineError(err)) return connection.send(message(id, toRpcError(err)));
          throw err;
        });
    for (const n of after) await connection.send(n);
  });
};

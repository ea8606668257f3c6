// About 400 lines: one connection's serving is one closure (its reading loop, dispatch, and the
// requests it has running share their state); the home's opening and the upstream link are
// homeOpening.ts and connectionUpstream.ts.
import type { Readable, Writable } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import { invalidParamsMessage, unknownMethodRefusal } from '../../../protocol/requestErrors.js';
import { clientCapabilitiesOf } from '../../../protocol/server.js';
import { connectionVersion, NEWEST_CODEX_VERSION, paramsAt, spokenAt, versionOfUserAgent } from '../../../protocol/codexVersions.js';
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
import { DEFAULT_MAX_REQUEST_BYTES } from './boundedLines.js';
import type { InputLine } from './boundedLines.js';
import type { RpcConnection } from './connection.js';
import { lineConnection } from './connection.js';
import { connectionUpstream } from './connectionUpstream.js';
import type { Answering, OpeningService, RpcService } from './homeOpening.js';
import { homeOpening } from './homeOpening.js';
import { peerOutbox } from './peerOutbox.js';
import { createScheduler, DEFAULT_MAX_QUEUED_PER_KEY, DEFAULT_MAX_REQUESTS_PER_CONNECTION } from './scheduler.js';
import { mapStreams } from './streamedJson.js';
import type { ConnectionThreads } from './threadSubscriptions.js';
import { LoadedThreads } from './loadedThreads.js';
import { isEngineError, isHeldByCodex } from '../../../domain/errors.js';
import type { EngineError } from '../../../domain/errors.js';
import type { Upstream } from './upstream.js';

type Id = string | number | null;

/** The bounds of a server's ingress; a request over one is answered `SERVER_OVERLOADED` at once. */
export interface RpcServerOptions {
  /** Requests one connection may have accepted and not yet answered. */
  readonly maxRequestsPerConnection?: number;
  /** Requests that may wait for one key (a thread) behind the ones running on it. */
  readonly maxQueuedPerKey?: number;
  /** Told of every request refused as overloaded (the metrics' counter). */
  readonly onOverload?: (method: string) => void;
  /**
   * `serve --upstream`: every method not in `answeredHere` (the entries answered `here`, `withUpstream`),
   * the client's notifications and its replies to the upstream's requests go to a real
   * `codex app-server`, one upstream connection per client connection; what the upstream sends
   * comes back to the connection it belongs to.
   */
  readonly upstream?: { readonly upstream: Upstream; readonly answeredHere: ReadonlySet<string> };
  /**
   * The Codex version the server speaks (`--codex-version`, its env, else the newest); with an
   * upstream, the upstream's (its `initialize` answer) when we speak it. A connection whose Codex
   * client declares a version we speak speaks that one (`connectionVersion`).
   */
  readonly codexVersion?: CodexVersion;
  /** Told of each connection's version once it is initialized (the log). */
  readonly onConnectionVersion?: (version: CodexVersion, client: string | undefined) => void;
}

/** One server per process: the home opened once, one scheduler for every connection. */
export interface RpcServer {
  /** Serve one client until its messages end (or the server shuts down) and every request it made is answered, or skipped when it is gone. */
  readonly serve: (connection: RpcConnection) => Promise<void>;
  readonly load: ServerLoad;
  /** Stop reading every connection, let the requests accepted finish and be answered, and resolve (the home opened if it was opening). */
  readonly shutdown: () => Promise<void>;
}

/** An error saying the index has no such thread. */
const isUnknownThread = (e: EngineError): boolean => e._tag === 'NotFound' && e.what === 'thread';

/** Thrown into a streamed answer whose client is gone: the stream stops at its next piece. */
class ClientGone extends Error {}

const message = (id: Id, error: RpcError) => ({ jsonrpc: '2.0', id, error });

/**
 * JSON-RPC 2.0 as `codex app-server` speaks it, to any number of connections: `initialize` first
 * on each (then the client's `initialized` notification), answered in order; every other request
 * runs when its method's scope allows (`scheduler.ts`), concurrently with the others, so answers
 * may come out of order, as Codex's do. Params are decoded with each method's io-ts codec and
 * refused -32600 in serde's words, as Codex refuses them; unknown methods as `unknownMethodRefusal` says. A message over the transport's limit is
 * refused (-32600) without being held.
 *
 * A request's notifications are sent with its answer, before or after it as the handler said,
 * with no other message between them. An answer is sent as it is produced (`streamedJson.ts`:
 * `thread/read` streams its turns); an error met while streaming it (a rollout file rewritten
 * under the index) is still answered: the transport marks the cut message (on a line stream:
 * before the first 64 KiB were written, nothing was; after, the cut line is ended with a newline,
 * so no client takes it for the answer) and the error follows.
 */
export const createRpcServer = (service: RpcService | OpeningService, options: RpcServerOptions = {}): RpcServer => {
  const maxRequestsPerConnection = options.maxRequestsPerConnection ?? DEFAULT_MAX_REQUESTS_PER_CONNECTION;
  const scheduler = createScheduler({ maxQueuedPerKey: options.maxQueuedPerKey ?? DEFAULT_MAX_QUEUED_PER_KEY });
  // Requests waiting for the home to open are queued too.
  let waitingForHome = 0;
  const load: ServerLoad = { inFlight: scheduler.load.inFlight, queued: () => scheduler.load.queued() + waitingForHome };
  // The threads this server holds loaded: one registry for every connection, as Codex's thread manager.
  const loaded = new LoadedThreads();

  const home = homeOpening(service);
  const { early, codexHome, open, openSoon } = home;

  const connections = new Set<Promise<void>>();
  let shuttingDown = false;
  /** What each connection's reading loop does when shutdown starts (registered while it reads, removed after). */
  const onShutdown = new Set<() => void>();
  const startShutdown = (): void => {
    for (const stop of onShutdown) stop();
  };

  const serveOne = async (connection: RpcConnection): Promise<void> => {
    const owner = {};
    let initialized = false;
    let experimentalApi = false;
    let clientName: string | undefined;
    let codexVersion: CodexVersion = options.codexVersion ?? NEWEST_CODEX_VERSION;
    let optedOut: ReadonlySet<string> = new Set();
    /** A notification this connection opted out of (`initialize`) is never sent to it. */
    const wanted = (m: unknown): boolean => !optedOut.has((m as { method?: string }).method ?? '');
    let reading = true;
    let clientEnded = false;
    let metHomeError = false;
    const gone = (): boolean => connection.closed?.aborted ?? clientEnded;

    // Messages leave one after another, bounded (`peerOutbox.ts`): a request's notifications and
    // answer go out as one group; a notification, the upstream's or a followed thread's, alone.
    const outbox = peerOutbox(connection);
    const enqueue = outbox.enqueue;
    const fail = (id: Id, error: RpcError): Promise<void> => enqueue(() => connection.send(message(id, error)));
    // The threads this connection follows: their live notifications go out between whole messages,
    // what one look at a thread found as one group.
    let threads: ConnectionThreads | undefined;
    const threadsOf = (answering: Answering): ConnectionThreads =>
      (threads ??= answering.hub.connect((messages) => {
        const mine = gone() ? [] : messages.filter((m) => wanted(m) && !itemAbsentAt(codexVersion, (m as { params?: unknown }).params));
        return mine.length === 0 ? Promise.resolve() : outbox.sendAll(mine.map((m) => answerAt(codexVersion, m)));
      }));

    // --upstream: this connection's link and the upstream's requests awaiting the client.
    const up = options.upstream;
    const upstream = up === undefined ? undefined : connectionUpstream(up.upstream, connection, outbox, gone);

    // This connection's running requests, by id: a cancel (`thread/search/cancel`) finds its target here.
    const running = new Map<string, { readonly method: string; readonly controller: AbortController }>();
    const cancel = (name: string, requestId: unknown): void => {
      const r = running.get(JSON.stringify(requestId));
      if (r?.method === name) r.controller.abort();
    };

    // Requests accepted and not yet answered (or skipped); the connection is served once none is left.
    let pending = 0;
    let allAnswered: () => void = () => undefined;
    const answered = (): void => {
      pending--;
      if (pending === 0) allAnswered();
    };

    /** A streamed answer stops at its next piece once the client is gone. */
    const untilGone = (stream: AsyncIterable<unknown>): AsyncIterable<unknown> =>
      (async function* () {
        for await (const piece of stream) {
          if (gone()) throw new ClientGone();
          yield piece;
        }
      })();

    /** Run one request's handler with its own notifications, and send them with its answer. */
    const run = async (id: Id, method: RpcMethod, params: unknown, answering: Answering, rawParams: unknown): Promise<void> => {
      const before: unknown[] = [];
      const after: unknown[] = [];
      const notify = (name: string, p: unknown, when: 'beforeAnswer' | 'afterAnswer' = 'beforeAnswer'): void => {
        if (!optedOut.has(name) && notificationSpokenAt(name, codexVersion) && !itemAbsentAt(codexVersion, p))
          (when === 'afterAnswer' ? after : before).push({ jsonrpc: '2.0', method: name, params: answerAt(codexVersion, p) });
      };
      const push = (name: string, p: unknown): void => {
        if (!optedOut.has(name) && !gone() && notificationSpokenAt(name, codexVersion) && !itemAbsentAt(codexVersion, p))
          void outbox.sendAll([{ jsonrpc: '2.0', method: name, params: answerAt(codexVersion, p), emittedAtMs: Date.now() }]).catch(() => undefined);
      };
      const ctx: RpcContext = {
        ...answering.ctx,
        notify,
        load,
        loaded,
        threads: threadsOf(answering),
        ...(clientName === undefined ? {} : { clientName }),
        codexVersion,
        push,
        requestId: id,
        cancel,
      };
      const key = JSON.stringify(id);
      const controller = new AbortController();
      running.set(key, { method: method.name, controller });
      // Awaited as it is, no `.finally` chained: a chained promise answers a few microtasks later,
      // past a client's end read meanwhile, and the answer of a request released just before it was dropped.
      let result: Awaited<ReturnType<ReturnType<RpcMethod['handle']>>>;
      try {
        result = await method.handle({ ...ctx, cancelled: controller.signal }, params)();
      } finally {
        running.delete(key);
      }
      if (gone()) return;
      // A change to a thread the upstream Codex has loaded is the upstream's to make (it holds the history in memory);
      // a thread the index does not know may be one the upstream holds with no rollout yet (just
      // started through it): the upstream answers it, as it would without us.
      if (upstream !== undefined && E.isLeft(result) && (isHeldByCodex(result.left) || isUnknownThread(result.left))) return upstream.forward(id, method.name, rawParams);
      await enqueue(async () => {
        for (const n of before) await connection.send(n);
        if (E.isLeft(result)) await connection.send(message(id, toRpcError(result.left)));
        else
          // Its fields and items as the connection's version answers them (`methodAnswerAt`).
          await connection.send({ jsonrpc: '2.0', id, result: mapStreams(methodAnswerAt(method, codexVersion, result.right), untilGone) }).catch((err: unknown) => {
            if (err instanceof ClientGone || gone()) return;
            if (isEngineError(err)) return connection.send(message(id, toRpcError(err)));
            throw err;
          });
        for (const n of after) await connection.send(n);
      });
    };

    /** A failure no handler turned into an error still gets an answer (-32603); the server goes on. */
    const internalError = (id: Id) => (err: unknown) =>
      gone() ? undefined : fail(id, { code: INTERNAL_ERROR, message: `Internal error: ${err instanceof Error ? err.message : String(err)}` }).catch(() => undefined);

    // The wait for the next message ends at a message, or when reading stops (the connection) or
    // shutdown starts (the server). Not a race of each wait against two promises that settle only
    // then: every race leaves a reaction on them, held until they settle (a long-lived server's
    // memory grew by every message it read).
    let stopSeen = false;
    let wakeStop: ((v: 'stop') => void) | undefined;
    const stopReading = (): void => {
      stopSeen = true;
      wakeStop?.('stop');
    };

    /** A request after `initialize`: waits for the home, is decoded, then scheduled; resolves once it is answered, refused or skipped. */
    const accept = async (id: Id, name: string, rawParams: unknown): Promise<void> => {
      // Not ours to answer with an upstream: it never waits for the home.
      if (upstream !== undefined && !up!.answeredHere.has(name)) return upstream.forward(id, name, rawParams);
      const opened = home.current();
      const homeless = opened === null ? early.get(name) : undefined;
      if (homeless !== undefined) {
        const params = homeless.params.decode(rawParams);
        if (E.isLeft(params)) return fail(id, { code: INVALID_REQUEST, message: invalidParamsMessage(params.left, rawParams) });
        const result = await homeless.handle({ codexHome, notify: () => undefined, codexVersion }, params.right)();
        return E.isLeft(result) ? fail(id, toRpcError(result.left)) : enqueue(() => connection.send({ jsonrpc: '2.0', id, result: result.right }));
      }
      let now: E.Either<EngineError, Answering>;
      if (opened !== null) now = E.right(opened);
      else {
        waitingForHome++;
        now = await open().finally(() => waitingForHome--);
      }
      if (E.isLeft(now)) {
        // The first request to meet the home's error answers it; the connection reads no more.
        if (metHomeError) return;
        metHomeError = true;
        reading = false;
        stopReading();
        return fail(id, toRpcError(now.left));
      }
      if (gone()) return;
      const found = now.right.byName.get(name);
      // A method added after the connection's version is unknown to it, as it is to that Codex.
      const method = found !== undefined && spokenAt(found, codexVersion) ? found : undefined;
      if (method === undefined) return fail(id, unknownMethodRefusal(name, codexVersion));
      if (method.experimental === true && !experimentalApi) return fail(id, { code: INVALID_REQUEST, message: `${name} requires experimentalApi capability` });
      const params = method.params.decode(paramsAt(method, codexVersion, rawParams));
      if (E.isLeft(params)) return fail(id, { code: INVALID_REQUEST, message: invalidParamsMessage(params.left, rawParams) });
      const answering = now.right;
      return new Promise<void>((resolve) => {
        const accepted = scheduler.submit({
          owner,
          scope: method.scope(params.right),
          run: () => run(id, method, params.right, answering, rawParams).catch(internalError(id)).finally(resolve),
          skipped: resolve,
        });
        if (!accepted) {
          options.onOverload?.(name);
          void fail(id, SERVER_OVERLOADED).finally(resolve);
        }
      });
    };

    const dispatch = async (bytes: Buffer): Promise<void> => {
      // Nesting and values bounded before anything is decoded or built (`messageBounds.ts`).
      const refusal = await messageBoundsRefusal(bytes);
      if (refusal !== null) return fail(null, { code: PARSE_ERROR, message: `Parse error: ${refusal}` });
      const text = bytes.toString('utf8');
      if (text.trim() === '') return;
      let json: unknown;
      try {
        // Bounded to the same depth already (messageBounds.ts, scanned a slice per turn): not scanned again here.
        // eslint-disable-next-line no-restricted-properties
        json = JSON.parse(text);
      } catch (e) {
        return fail(null, { code: PARSE_ERROR, message: `Parse error: ${(e as Error).message}` });
      }
      if (RpcRequest.is(json)) {
        const { id, method } = json;
        if (method === 'initialize') {
          // Answered in order, before the next message is read: the requests behind it see the connection initialized.
          if (initialized) return fail(id, { code: INVALID_REQUEST, message: 'Already initialized' });
          const homeless = early.get('initialize');
          const opened = home.current();
          const init = homeless ?? opened?.byName.get('initialize');
          if (init === undefined) return fail(id, { code: METHOD_NOT_FOUND, message: 'method not found: initialize' });
          const params = init.params.decode(json.params);
          if (E.isLeft(params)) return fail(id, { code: INVALID_REQUEST, message: invalidParamsMessage(params.left, json.params) });
          initialized = true;
          ({ experimentalApi, optedOut } = clientCapabilitiesOf(params.right));
          const clientInfo = (json.params as { clientInfo?: { name?: unknown } } | undefined)?.clientInfo;
          const name = clientInfo?.name;
          clientName = typeof name === 'string' ? name : undefined;
          // With an upstream the client sees the upstream's answer (its Codex version, its user agent),
          // and the server speaks the upstream's version; without one reachable, ours, and history is
          // served all the same.
          upstream?.initialized(json.params);
          const upstreamInit = upstream === undefined ? undefined : (await upstream.link()).init;
          const upstreamResult = upstreamInit !== undefined && 'result' in upstreamInit ? (upstreamInit.result as { userAgent?: unknown } | undefined) : undefined;
          codexVersion = connectionVersion(versionOfUserAgent(upstreamResult?.userAgent) ?? codexVersion, clientInfo);
          options.onConnectionVersion?.(codexVersion, clientName);
          const notify = (): void => undefined;
          const result = await (
            homeless !== undefined
              ? homeless.handle({ codexHome, notify, codexVersion }, params.right)
              : init.handle({ ...opened!.ctx, notify, load, loaded, codexVersion }, params.right)
          )();
          if (E.isLeft(result)) return fail(id, toRpcError(result.left));
          const answer = upstreamResult !== undefined ? upstreamResult : result.right;
          return enqueue(() => connection.send({ jsonrpc: '2.0', id, result: answer }));
        }
        if (!initialized) return fail(id, { code: INVALID_REQUEST, message: 'Not initialized' });
        if (pending >= maxRequestsPerConnection) {
          options.onOverload?.(method);
          return fail(id, SERVER_OVERLOADED);
        }
        pending++;
        void accept(id, method, json.params).catch(internalError(id)).finally(answered);
        return;
      }
      // A request whose id is not a string or a safe integer (null, an object, 1.5, 1e400, 2^60):
      // refused and never run, not taken for a notification (a client waiting on it would wait
      // forever) nor answered under an id it cannot match (`protocol.ts`).
      if (typeof json === 'object' && json !== null && 'id' in json && 'method' in json)
        return fail(null, { code: INVALID_REQUEST, message: `Invalid request: id must be a string or an integer from ${-MAX_SAFE_ID} to ${MAX_SAFE_ID}` });
      if (RpcNotification.is(json)) {
        // `initialized` and other client notifications need no answer; the upstream is told of them.
        upstream?.notify(json.method, json.params);
        return;
      }
      if (typeof json === 'object' && json !== null && 'id' in json && ('result' in json || 'error' in json)) {
        // A client's reply: to a request the upstream made, it goes back under the upstream's id.
        upstream?.reply(json as { id: unknown; result?: unknown; error?: unknown });
        return;
      }
      return fail(null, { code: INVALID_REQUEST, message: 'Invalid request: not a JSON-RPC request or notification' });
    };

    // The client can take nothing more (gone, or dropped for not reading): its queue is skipped and its messages read no more.
    const onClosed = (): void => {
      scheduler.dropQueued(owner);
      stopReading();
    };
    connection.closed?.addEventListener('abort', onClosed);
    const messages = connection.messages[Symbol.asyncIterator]();
    onShutdown.add(stopReading);
    const nextMessage = (): Promise<IteratorResult<InputLine> | 'stop'> =>
      stopSeen
        ? Promise.resolve('stop')
        : new Promise((resolve, reject) => {
            wakeStop = resolve;
            messages.next().then(resolve, reject);
          });
    while (reading && !shuttingDown) {
      const next = await nextMessage();
      wakeStop = undefined;
      if (next === 'stop') {
        void messages.return?.();
        break;
      }
      if (next.done === true) {
        // Without a `closed` signal the end of the messages is the client's end: what it queued is skipped.
        clientEnded = true;
        if (connection.closed === undefined) scheduler.dropQueued(owner);
        break;
      }
      const line = next.value;
      if (line.kind === 'tooLong') {
        void fail(null, {
          code: INVALID_REQUEST,
          message: `Invalid request: a message of ${line.bytes} bytes is over the limit of ${connection.maxMessageBytes} bytes`,
        }).catch(() => undefined);
        continue;
      }
      await dispatch(line.bytes).catch(internalError(null));
      openSoon();
    }
    reading = false;
    onShutdown.delete(stopReading);
    if (pending > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
    threads?.close();
    upstream?.close();
    await outbox.drained();
    connection.closed?.removeEventListener('abort', onClosed);
  };

  return {
    serve: (connection) => {
      const served = serveOne(connection);
      const settled = served.catch(() => undefined);
      connections.add(settled);
      return served.finally(() => connections.delete(settled));
    },
    load,
    shutdown: async () => {
      shuttingDown = true;
      startShutdown();
      await Promise.all([...connections]);
      await scheduler.idle();
      home.close();
      // The home is opened even if no client asked for it: serve checks its home whatever the
      // clients did, and its owner closes it once open.
      if ('early' in service) {
        openSoon();
        await open();
      }
    },
  };
};

/** One connection served by a server of its own (tests, and callers with one client). */
export const serveConnection = async (connection: RpcConnection, service: RpcService | OpeningService, options?: RpcServerOptions): Promise<void> => {
  const server = createRpcServer(service, options);
  try {
    await server.serve(connection);
  } finally {
    await server.shutdown();
  }
};

/** JSON-RPC on stdio (or any byte stream pair), one message per line; a line over `maxRequestBytes` is refused without being held. */
export const serveJsonRpc = (
  input: Readable,
  output: Writable,
  service: RpcService | OpeningService,
  maxRequestBytes: number = DEFAULT_MAX_REQUEST_BYTES,
  options?: RpcServerOptions,
): Promise<void> => serveConnection(lineConnection(input, output, maxRequestBytes), service, options);

// One connection served (server.ts `createRpcServer` serves each with `serveOne`): its reading
// loop, `initialize` and the dispatch of a message; a request's acceptance and run are
// connectionRequests.ts, what the connection holds and the server shares servedConnection.ts.
import * as E from 'fp-ts/lib/Either.js';
import { invalidParamsMessage } from '../../../protocol/requestErrors.js';
import { clientCapabilitiesOf } from '../../../protocol/server.js';
import { connectionVersion, versionOfUserAgent } from '../../../protocol/codexVersions.js';
import { toRpcError } from './errors.js';
import {
  INVALID_REQUEST,
  MAX_SAFE_ID,
  METHOD_NOT_FOUND,
  PARSE_ERROR,
  RpcNotification,
  RpcRequest,
  SERVER_OVERLOADED,
} from '../../../protocol/jsonRpc.js';
import { messageBoundsRefusal } from './messageBounds.js';
import type { InputLine } from './boundedLines.js';
import type { RpcConnection } from './connection.js';
import { accept } from './connectionRequests.js';
import { internalError, served, stopReading } from './servedConnection.js';
import type { Id, Served, Shared } from './servedConnection.js';

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

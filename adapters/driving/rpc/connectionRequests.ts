// A request after `initialize`: its acceptance (the home, its method and params, the scheduler)
// and its run (its handler, its notifications, its answer).
import * as E from 'fp-ts/lib/Either.js';
import { invalidParamsMessage, unknownMethodRefusal } from '../../../protocol/requestErrors.js';
import { paramsAt, spokenAt } from '../../../protocol/codexVersions.js';
import { answerAt, itemAbsentAt, methodAnswerAt } from '../../../protocol/itemDeltas.js';
import { notificationSpokenAt } from '../../../protocol/notifications.js';
import type { Cancellation, RpcContext, RpcMethod } from './method.js';
import { toRpcError } from './errors.js';
import { INVALID_REQUEST, SERVER_OVERLOADED } from '../../../protocol/jsonRpc.js';
import type { Answering } from './homeOpening.js';
import { mapStreams } from './streamedJson.js';
import { answerMessage } from './unchangingAnswers.js';
import type { ConnectionThreads } from './threadSubscriptions.js';
import { isEngineError, isHeldByCodex } from '../../../domain/errors.js';
import type { EngineError } from '../../../domain/errors.js';
import { internalError, message, stopReading } from './servedConnection.js';
import type { Id, Served, Shared } from './servedConnection.js';

/** An error saying the index has no such thread. */
const isUnknownThread = (e: EngineError): boolean => e._tag === 'NotFound' && e.what === 'thread';

/** Thrown into a streamed answer whose client is gone: the stream stops at its next piece. */
class ClientGone extends Error {}

/** A request after `initialize`: waits for the home, is decoded, then scheduled; resolves once it is answered, refused or skipped. */
export const accept = async (s: Shared, c: Served, id: Id, name: string, rawParams: unknown): Promise<void> => {
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
    if (r?.method === name) r.cancellation.aborted = true;
  };
  const cancellation: Cancellation = { aborted: false };
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
    cancelled: cancellation,
  };
  const key = JSON.stringify(id);
  c.running.set(key, { method: method.name, cancellation });
  // Awaited as it is, no `.finally` chained: a chained promise answers a few microtasks later,
  // past a client's end read meanwhile, and the answer of a request released just before it was dropped.
  let result: Awaited<ReturnType<ReturnType<RpcMethod['handle']>>>;
  try {
    result = await method.handle(ctx, params)();
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
        .send(
          answerMessage(id, result.right, `${method.name} ${codexVersion}`, (r) =>
            mapStreams(methodAnswerAt(method, codexVersion, r), untilGone(c)),
          ),
        )
        .catch((err: unknown) => {
          if (err instanceof ClientGone || c.gone()) return;
          if (isEngineError(err)) return connection.send(message(id, toRpcError(err)));
          throw err;
        });
    for (const n of after) await connection.send(n);
  });
};

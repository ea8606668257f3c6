import type { RpcConnection } from './connection.js';
import type { PeerOutbox } from './peerOutbox.js';
import type { Upstream, UpstreamLink, UpstreamMessage, UpstreamReply } from './upstream.js';
import { upstreamUnavailable } from './upstream.js';

type Id = string | number | null;

/**
 * One client connection's side of `serve --upstream`: its link to the upstream (made at
 * `initialize`, made again with the same `initialize` after the upstream restarted), what the
 * upstream sends passed on to the client, and the upstream's requests awaiting the client's reply.
 */
export interface ConnectionUpstream {
  /** The client's `initialize` params, replayed on every link made. */
  readonly initialized: (params: unknown) => void;
  /** The link, made (and the client's `initialize` replayed) when there is none or the last one closed; null when the upstream cannot be reached. */
  readonly link: () => Promise<{ link: UpstreamLink | null; init?: UpstreamReply }>;
  /** A request the upstream answers, under the client's id. */
  readonly forward: (id: Id, name: string, rawParams: unknown) => Promise<void>;
  /** A client notification the upstream is told of (once a link is made). */
  readonly notify: (method: string, params: unknown) => void;
  /** A client's reply: to a request the upstream made, it goes back under the upstream's id; to a link that is gone, or to no request the upstream made, it is not delivered. */
  readonly reply: (reply: { readonly id: unknown; readonly result?: unknown; readonly error?: unknown }) => void;
  readonly close: () => void;
}

// long: a port's factory: the methods it returns share its closure's state
export const connectionUpstream = (
  up: Upstream,
  connection: RpcConnection,
  outbox: PeerOutbox,
  gone: () => boolean,
): ConnectionUpstream => {
  let initializeParams: unknown;
  let link: UpstreamLink | null = null;
  let linking: Promise<UpstreamLink | null> | null = null;
  let linkFailure = 'no client initialize yet';
  // Each link made is a generation: the upstream's request ids are its own per connection (a
  // new link starts again at 0), so a client's reply is delivered only to the link that asked.
  let generation = 0;
  let linkGeneration = -1;
  /** The client-visible id of each request an upstream link made: that link's generation and its own id. */
  const upstreamRequests = new Map<string, { readonly generation: number; readonly id: string | number }>();
  let nextUpstreamRequest = 0;
  // Turns the upstream runs for this client: one it was running when it went ends failed.
  const runningTurns = new Map<string, { readonly threadId: string; readonly turn: Record<string, unknown> }>();

  const fromUpstream = (m: UpstreamMessage, from: number): void => {
    if (gone()) return;
    if (m.id === undefined) {
      const p = m.params as { threadId?: unknown; turn?: { id?: unknown } } | undefined;
      if (typeof p?.threadId === 'string' && typeof p.turn?.id === 'string') {
        if (m.method === 'turn/started')
          runningTurns.set(p.turn.id, { threadId: p.threadId, turn: p.turn as Record<string, unknown> });
        if (m.method === 'turn/completed') runningTurns.delete(p.turn.id);
      }
      void outbox.sendAll([{ jsonrpc: '2.0', method: m.method, params: m.params }]).catch(() => undefined);
      return;
    }
    // The upstream's own request (an approval, a dynamic tool call): the client answers it under an id of ours.
    const asked = `upstream-${from}-${nextUpstreamRequest++}`;
    upstreamRequests.set(asked, { generation: from, id: m.id });
    void outbox.sendAll([{ jsonrpc: '2.0', id: asked, method: m.method, params: m.params }]).catch(() => undefined);
  };

  /** The upstream went: each turn it was running for this client ends failed (the client would wait for it forever). */
  const upstreamGone = (from: number): void => {
    // Its requests can no longer be answered: a late reply to one is refused, not sent to the next link.
    for (const [asked, r] of upstreamRequests) if (r.generation === from) upstreamRequests.delete(asked);
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const [turnId, { threadId, turn }] of runningTurns) {
      runningTurns.delete(turnId);
      const startedAt = typeof turn['startedAt'] === 'number' ? turn['startedAt'] : null;
      const ended = {
        ...turn,
        status: 'failed',
        error: {
          message: `the upstream codex app-server (${up.describe}) stopped during this turn`,
          codexErrorInfo: null,
          additionalDetails: null,
          misalignment: null,
        },
        completedAt: nowSeconds,
        durationMs: startedAt === null ? null : Math.max(0, nowSeconds - startedAt) * 1000,
      };
      if (!gone())
        void outbox
          .sendAll([{ jsonrpc: '2.0', method: 'turn/completed', params: { threadId, turn: ended } }])
          .catch(() => undefined);
    }
  };

  const upstreamLink: ConnectionUpstream['link'] = () => {
    if (link !== null && link.isOpen()) return Promise.resolve({ link });
    let init: UpstreamReply | undefined;
    if (linking === null) {
      const made = generation++;
      linking = up
        .connect(
          (m) => fromUpstream(m, made),
          () => upstreamGone(made),
        )
        .then(async (l) => {
          // Bounded like the handshake: the client's `initialize` waits for it.
          init = await l.request('initialize', initializeParams, up.timeouts.connectMs);
          if ('error' in init) {
            linkFailure = init.unavailable ?? `it refused initialize: ${init.error.message}`;
            l.close();
            return null;
          }
          l.notify('initialized');
          linkGeneration = made;
          return (link = l);
        })
        .catch((err: unknown) => {
          linkFailure = err instanceof Error ? err.message : String(err);
          return null;
        })
        .finally(() => (linking = null));
    }
    return linking.then((l) => (init === undefined ? { link: l } : { link: l, init }));
  };

  return {
    initialized: (params) => void (initializeParams = params),
    link: upstreamLink,
    forward: async (id, name, rawParams) => {
      const { link: l } = await upstreamLink();
      const reply: UpstreamReply =
        l === null ? { error: upstreamUnavailable(up.describe, linkFailure) } : await l.request(name, rawParams);
      if (gone()) return;
      await outbox.enqueue(() =>
        connection.send(
          'error' in reply ? { jsonrpc: '2.0', id, error: reply.error } : { jsonrpc: '2.0', id, result: reply.result },
        ),
      );
    },
    // Its `initialized` the upstream got when the link was made.
    notify: (method, params) => {
      if (method !== 'initialized' && link !== null) link.notify(method, params);
    },
    reply: (reply) => {
      const asked = typeof reply.id === 'string' ? upstreamRequests.get(reply.id) : undefined;
      if (asked !== undefined) upstreamRequests.delete(reply.id as string);
      if (asked !== undefined && asked.generation === linkGeneration && link?.isOpen() === true)
        link.respond(asked.id, reply);
    },
    close: () => (link as UpstreamLink | null)?.close(),
  };
};

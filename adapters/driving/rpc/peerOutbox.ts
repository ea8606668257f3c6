import type { RpcConnection } from './connection.js';
import { PeerGone } from './connection.js';
import { JsonText } from './streamedJson.js';

/**
 * One peer's outbound queue: every message to it leaves through here, in order (a request's
 * notifications and its answer as one group), whoever produced it — an answer, the live
 * notifications of a followed thread, a message the upstream Codex sent for this client. What
 * waits is bounded: a group is counted by its JSON's bytes from when it is queued until the
 * transport took it, plus what the transport itself holds unsent (`OutboundBound.bufferedBytes`).
 * When a group comes and more than `maxBytes` already wait, the peer is dropped
 * (`OutboundBound.drop`) and the group refused with `PeerGone`, as is everything after: a
 * subscriber that stops reading while notifications flow costs the bound and one group, not the
 * stream (it grew `serve` to 1–1.9 GB). What waited before is what counts, so a group larger than
 * the bound is still taken by a peer that reads (a followed thread's burst comes in steps of
 * ~512 KiB, paced by its followers: `threadSubscriptions.ts`).
 * Answers are counted by what the transport holds only: they are as many as the requests a
 * connection may have waiting, and a streamed one is produced as it is taken.
 */
export interface PeerOutbox {
  /** Run `write` (a group of sends) after every group queued before it; `bytes`: what it will write, as far as known. */
  readonly enqueue: (write: () => Promise<void>, bytes?: number) => Promise<void>;
  /** Queue whole messages (notifications) as one group, counted by their JSON's bytes. */
  readonly sendAll: (messages: ReadonlyArray<unknown>) => Promise<void>;
  /** Settles once everything queued so far has been sent or refused. */
  readonly drained: () => Promise<void>;
}

export const peerOutbox = (connection: RpcConnection): PeerOutbox => {
  const bound = connection.outbound;
  let tail: Promise<void> = Promise.resolve();
  let queuedBytes = 0;
  let dropped = false;
  const enqueue = (write: () => Promise<void>, bytes = 0): Promise<void> => {
    if (dropped) return Promise.reject(new PeerGone('slow'));
    const waiting = bound === undefined ? 0 : queuedBytes + bound.bufferedBytes();
    if (bound !== undefined && waiting > bound.maxBytes) {
      dropped = true;
      bound.drop(waiting);
      return Promise.reject(new PeerGone('slow'));
    }
    queuedBytes += bytes;
    const sent = tail.then(write).finally(() => (queuedBytes -= bytes));
    tail = sent.catch(() => undefined);
    return sent;
  };
  return {
    enqueue,
    sendAll: (messages) => {
      // Serialized once, here: their size is what is counted, and the transport writes this text.
      const texts = messages.map((m) => new JsonText(JSON.stringify(m) ?? 'null'));
      let bytes = 0;
      for (const t of texts) bytes += Buffer.byteLength(t.json);
      return enqueue(async () => {
        for (const text of texts) await connection.send(text);
      }, bytes);
    },
    drained: () => tail,
  };
};

import type { WebSocket } from 'ws';
import type { InputLine } from './boundedLines.js';
import type { RpcConnection } from './connection.js';
import { DEFAULT_MAX_OUTBOUND_BYTES, PeerGone } from './connection.js';
import { holdsStream, jsonPieces, wholeJsonBytes } from './streamedJson.js';

export { PeerGone };

/** How a WebSocket connection bounds what it holds for a peer. */
export interface WebSocketLimits {
  /** The largest message a client may send (ws `maxPayload`: a longer one closes the connection with 1009). */
  readonly maxMessageBytes: number;
  /** No frame the server sends is larger: a bigger message goes out as continuation fragments. */
  readonly fragmentBytes: number;
  /** Bytes the server lets wait for a peer that does not read (ws `bufferedAmount` and the messages queued for it, `peerOutbox.ts`); beyond it the peer is dropped. */
  readonly maxBufferedBytes: number;
  /** How long a peer may leave the buffer above `fragmentBytes` without taking any of it before it is dropped. */
  readonly stallMs: number;
  /** Messages the server takes ahead of the one being answered; beyond them it stops reading the socket. */
  readonly inboxMessages: number;
}

/** Bytes sent without a wait after which a send lets the event loop turn (see `frame`). */
const YIELD_BYTES = 1 << 20;

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  // Codex's own limit (tungstenite's default): a longer message closes the connection.
  maxMessageBytes: 16 << 20,
  fragmentBytes: 64 * 1024,
  maxBufferedBytes: DEFAULT_MAX_OUTBOUND_BYTES,
  stallMs: 30_000,
  inboxMessages: 64,
};

export interface WebSocketConnectionEvents {
  /** The peer stopped reading and was dropped, with this many bytes waiting for it. */
  readonly onSlowPeer: (waitingBytes: number) => void;
  readonly onBytesOut: (n: number) => void;
}

/**
 * A WebSocket as an `RpcConnection`: each text frame is one JSON-RPC message (a binary frame is
 * read as UTF-8 text too, so it is answered rather than ignored as Codex does: JSON in it works,
 * anything else gets -32700); each answer is one message, sent in fragments of at most
 * `fragmentBytes` as `streamedJson` produces it. Sends are paced by the peer: while more than a
 * fragment waits in the socket's buffer the next waits for it to be taken; a peer that lets
 * `maxBufferedBytes` pile up, or takes nothing for `stallMs`, is dropped (terminated), so memory
 * stays bounded whatever the peer does.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const webSocketConnection = (
  socket: WebSocket,
  limits: WebSocketLimits,
  events: WebSocketConnectionEvents,
): RpcConnection => {
  const inbox: InputLine[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let paused = false;
  const woken = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  // The bytes waiting in the inbox: a client sending large messages faster than they are read holds at most about two.
  let inboxBytes = 0;
  const holdsTooMuch = (): boolean => inbox.length >= limits.inboxMessages || inboxBytes > limits.maxMessageBytes;
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    // ws hands a Buffer: kept as it is (not copied, not decoded: the server checks its bounds first).
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    inbox.push({ kind: 'line', bytes });
    inboxBytes += bytes.length;
    // Backpressure on a client that sends faster than it is answered: stop reading its socket.
    if (holdsTooMuch() && !paused) {
      paused = true;
      socket.pause();
    }
    woken();
  });
  socket.on('close', () => {
    // Nothing can be answered any more: what waited is dropped.
    inbox.length = 0;
    inboxBytes = 0;
    ended = true;
    woken();
  });

  async function* messages(): AsyncGenerator<InputLine> {
    for (;;) {
      const next = inbox.shift();
      if (next !== undefined) {
        if (next.kind === 'line') inboxBytes -= next.bytes.length;
        if (paused && !holdsTooMuch() && inbox.length < limits.inboxMessages / 2) {
          paused = false;
          socket.resume();
        }
        yield next;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  let dropped = false;
  /** Bytes sent since a send last waited for the event loop. */
  let unyielded = 0;
  const drop = (waitingBytes: number = socket.bufferedAmount): PeerGone => {
    if (!dropped) {
      dropped = true;
      events.onSlowPeer(waitingBytes);
      socket.terminate();
    }
    return new PeerGone('slow');
  };

  /** Send one frame; wait while the peer has more than a fragment to take, dropping it when it overflows or stalls. */
  const frame = async (bytes: Buffer, fin: boolean): Promise<void> => {
    if (dropped) throw new PeerGone('slow');
    if (socket.readyState !== socket.OPEN) throw new PeerGone('closed');
    const flushed = new Promise<void>((resolve) => socket.send(bytes, { binary: false, fin }, () => resolve()));
    events.onBytesOut(bytes.length);
    if (socket.bufferedAmount > limits.maxBufferedBytes) throw drop();
    if (socket.bufferedAmount <= limits.fragmentBytes) {
      // A peer that keeps up never makes a send wait: a long message (a streamed `thread/read`)
      // would be one chain of promises, and V8's tasks on the event loop that free the buffers
      // already sent would wait behind it (live notifications grew `serve` by the size of a burst).
      unyielded += bytes.length;
      if (unyielded >= YIELD_BYTES) {
        unyielded = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return;
    }
    unyielded = 0;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), limits.stallMs)));
    const outcome = await Promise.race([flushed, stalled]);
    clearTimeout(timer);
    if (outcome === 'stalled') throw drop();
  };

  /** One message: its JSON as it is produced, cut into fragments; on a failure part way, the message is ended cut (not valid JSON) and the error thrown. */
  const sendNow = async (message: unknown): Promise<void> => {
    // Most answers hold no stream and are small: their JSON in one frame, with no pieces to gather.
    const whole = holdsStream(message) ? undefined : wholeJsonBytes(message);
    if (whole !== undefined && whole.length <= limits.fragmentBytes) return frame(whole, true);
    let held: Buffer[] = [];
    let heldBytes = 0;
    let started = false;
    const flush = async (all: boolean): Promise<void> => {
      // One buffer (a whole message) is cut as it is: a copy of each large message is garbage the size of the message.
      let buf = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
      while (buf.length > limits.fragmentBytes || (all && buf.length > 0)) {
        const piece = buf.subarray(0, limits.fragmentBytes);
        buf = buf.subarray(piece.length);
        const last = all && buf.length === 0;
        // A message that fits one frame is sent unfragmented.
        await frame(piece, last);
        started = true;
      }
      held = buf.length > 0 ? [buf] : [];
      heldBytes = buf.length;
    };
    try {
      for await (const piece of whole === undefined ? jsonPieces(message) : [whole]) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
        held.push(bytes);
        heldBytes += bytes.length;
        if (heldBytes > limits.fragmentBytes) await flush(false);
      }
    } catch (err) {
      // As the stdio path ends a cut line: the message ends here, so no client takes it for the answer.
      if (started) await frame(Buffer.concat([...held, Buffer.from('\n')]), true);
      throw err;
    }
    await flush(true);
  };

  // One message at a time on the socket (fragments of two messages may not interleave).
  let queue: Promise<void> = Promise.resolve();
  return {
    messages: messages(),
    maxMessageBytes: limits.maxMessageBytes,
    send: (message) => {
      const sent = queue.then(() => sendNow(message));
      queue = sent.catch(() => undefined);
      return sent;
    },
    // What the server queues for this peer counts against the same bound as the socket's buffer.
    outbound: {
      maxBytes: limits.maxBufferedBytes,
      bufferedBytes: () => socket.bufferedAmount,
      drop: (waitingBytes) => void drop(waitingBytes),
    },
  };
};

import type { Readable, Writable } from 'node:stream';
import type { InputLine } from './boundedLines.js';
import { boundedLines } from './boundedLines.js';
import { writeJsonLine } from './streamedJson.js';

/**
 * The most bytes that may wait for one peer: the messages queued for it and what its transport
 * holds unsent (`peerOutbox.ts`). A peer that lets more pile up is not reading, and is dropped.
 */
export const DEFAULT_MAX_OUTBOUND_BYTES = 8 << 20;

/** A send refused because the peer is gone or was dropped: the server stops answering it. */
export class PeerGone extends Error {
  constructor(readonly why: 'closed' | 'slow') {
    super(why === 'slow' ? 'the peer was dropped: it did not read its answers' : 'the peer closed the connection');
  }
}

/** How a transport bounds what waits for its peer (`peerOutbox.ts` keeps the bound). */
export interface OutboundBound {
  readonly maxBytes: number;
  /** Bytes handed to the transport and not yet taken by the peer (a stream's `writableLength`, a socket's `bufferedAmount`). */
  readonly bufferedBytes: () => number;
  /** Drop the peer (it let `maxBytes` pile up; `waitingBytes` waited, queued and buffered): nothing more is sent to it and its connection ends. */
  readonly drop: (waitingBytes: number) => void;
}

/**
 * One client's JSON-RPC channel, whatever carries it (stdio lines, WebSocket frames): the server
 * (`serveConnection`) reads its messages and sends its answers and notifications through it, and
 * knows nothing of the transport.
 */
export interface RpcConnection {
  /** The client's messages in order; one over the transport's size limit is reported by its size, its bytes dropped. */
  readonly messages: AsyncIterable<InputLine>;
  /** The largest message the transport takes (said in the error a longer one gets). */
  readonly maxMessageBytes: number;
  /**
   * Send one message. Its JSON may hold async iterables (`streamedJson.ts`: `thread/read` streams
   * its turns), or be a `JsonText` already serialized (notifications, `unchangingAnswers.ts`): a
   * transport writes it as `jsonPieces` gives it. The promise settles once the transport took it,
   * with its backpressure. A stream that fails part way rejects with its error, after the
   * transport made clear the message was cut.
   */
  readonly send: (message: unknown) => Promise<void>;
  /**
   * Aborted when the client can no longer take answers (its socket closed, our output gone, the
   * peer dropped): its queued requests are skipped, its streamed answers stop and its messages are
   * read no more. Absent, the end of `messages` says so (a WebSocket); a line stream has it, since
   * a client may end its input and still read.
   */
  readonly closed?: AbortSignal;
  /** The bound of what waits for the peer; absent, none (an in-memory connection of a test). */
  readonly outbound?: OutboundBound;
}

/**
 * JSON-RPC on a byte stream pair, one message per line, as `codex app-server` speaks it on stdio.
 * A peer that stops reading its output while `maxOutboundBytes` pile up for it is dropped
 * (`onDropped` told): `closed` aborts, the writes waiting for it end, and the server reads no
 * more of it (`serve` on stdio then exits: the bytes the pipe still holds would keep it alive).
 */
export const lineConnection = (
  input: Readable,
  output: Writable,
  maxMessageBytes: number,
  maxOutboundBytes: number = DEFAULT_MAX_OUTBOUND_BYTES,
  onDropped: (waitingBytes: number) => void = () => undefined,
): RpcConnection => {
  const closed = new AbortController();
  const gone = (): void => closed.abort();
  output.once('close', gone);
  let dropped = false;
  return {
    messages: boundedLines(input, maxMessageBytes),
    maxMessageBytes,
    send: (message) => (dropped ? Promise.reject(new PeerGone('slow')) : writeJsonLine(output, message, closed.signal)),
    closed: closed.signal,
    outbound: {
      maxBytes: maxOutboundBytes,
      bufferedBytes: () => output.writableLength,
      drop: (waitingBytes) => {
        if (dropped) return;
        dropped = true;
        onDropped(waitingBytes);
        // A write waiting for it to drain ends (writeJsonLine), and the server lets it go.
        closed.abort();
      },
    },
  };
};

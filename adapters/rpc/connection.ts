import type { Readable, Writable } from 'node:stream';
import type { InputLine } from './boundedLines.js';
import { boundedLines } from './boundedLines.js';
import { writeJsonLine } from './streamedJson.js';

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
   * its turns); the promise settles once the transport took it, with its backpressure. A stream
   * that fails part way rejects with its error, after the transport made clear the message was cut.
   */
  readonly send: (message: unknown) => Promise<void>;
}

/** JSON-RPC on a byte stream pair, one message per line, as `codex app-server` speaks it on stdio. */
export const lineConnection = (input: Readable, output: Writable, maxMessageBytes: number): RpcConnection => ({
  messages: boundedLines(input, maxMessageBytes),
  maxMessageBytes,
  send: (message) => writeJsonLine(output, message),
});

/**
 * A send that takes one message at a time, in call order: a notification sent from elsewhere (the
 * live tail) never lands inside a streamed answer.
 */
export const oneAtATime = (send: RpcConnection['send']): RpcConnection['send'] => {
  let last: Promise<unknown> = Promise.resolve();
  return (message) => {
    const next = last.then(() => send(message));
    last = next.catch(() => undefined);
    return next;
  };
};

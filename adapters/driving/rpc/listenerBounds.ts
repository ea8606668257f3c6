/**
 * What one listener lets its peers hold (issue 68, finding 5): 48 peers each sending 15 MiB of a
 * 16 MiB frame grew `serve` by 730 MB, and 1,100 half-open HTTP heads took all 1,024 descriptors,
 * the token holder's connection dropped. Beyond Codex (whose app-server has no such bounds).
 */
export interface ListenerBounds {
  /** WebSocket sessions at once (upgraded and authorized); one more upgrade is answered 503. */
  readonly maxConnections: number;
  /**
   * Connections not upgraded (a head being sent or authorized, an HTTP request, an idle keep-alive):
   * none of them is authenticated, so when one more comes the oldest is dropped, never a session.
   */
  readonly maxHeads: number;
  /** How long a connection may take to send its request head (Node's `headersTimeout`). */
  readonly headTimeoutMs: number;
  /**
   * Bytes of messages in progress (frames received, the message not yet complete) across every
   * peer: one chunk more closes the peer holding the most (1013), whatever `--max-request-bytes` allows one.
   */
  readonly maxInFlightBytes: number;
}

export const DEFAULT_LISTENER_BOUNDS: ListenerBounds = {
  maxConnections: 256,
  maxHeads: 64,
  headTimeoutMs: 10_000,
  // Four of the largest messages at once (16 MiB, Codex's limit).
  maxInFlightBytes: 64 << 20,
};

/** The share of the descriptors a listener's connections may take: the home, the index, the watch and an upstream keep the rest. */
const LISTENER_SHARE = 0.5;

/**
 * The bounds within `nofile` descriptors: sessions and heads together at most half of them (the
 * heads kept to an eighth, at least 8), so a full listener never meets EMFILE. Pure.
 */
export const fitToDescriptors = (bounds: ListenerBounds, nofile: number): ListenerBounds => {
  const room = Math.floor(nofile * LISTENER_SHARE);
  if (bounds.maxConnections + bounds.maxHeads <= room) return bounds;
  const maxHeads = Math.max(1, Math.min(bounds.maxHeads, Math.max(8, Math.floor(nofile / 8))));
  return { ...bounds, maxHeads, maxConnections: Math.max(1, Math.min(bounds.maxConnections, room - maxHeads)) };
};

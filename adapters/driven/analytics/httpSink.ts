import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { ioError } from '../../../domain/errors.js';
import type { AnalyticsSink } from '../../../domain/analytics/ports.js';

export interface HttpDeliveryOptions {
  /** Attempts per payload (first try included). */
  readonly attempts?: number;
  /** Backoff before retry n (1-based): base · 2^(n-1) ms, capped at `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called before each retry (for progress output and tests). */
  readonly onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

/** Worth another try: the server failed or asked us to slow down, or the request never got an answer. */
const retryable = (status: number): boolean => status >= 500 || status === 429 || status === 408;

/** The one place an HTTP delivery failure becomes an EngineError. */
const deliveryError = (url: string, reason: string): EngineError =>
  ioError(url, 'POST analytics events', 'HTTP', reason);

/**
 * POSTs each payload as JSON to `url` (node's fetch), retrying 5xx / 429 / 408 and network errors
 * with exponential backoff; other statuses fail at once.
 */
export const httpSink = (url: string, options: HttpDeliveryOptions = {}): AnalyticsSink => {
  const attempts = Math.max(1, options.attempts ?? 5);
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    kind: 'http',
    deliver: (payload) => async () => {
      const body = JSON.stringify(payload);
      let reason = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) {
          const delay = Math.min(cap, base * 2 ** (attempt - 2));
          options.onRetry?.(attempt, reason, delay);
          await sleep(delay);
        }
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          const text = await res.text();
          if (res.ok) return E.right(undefined);
          reason = `status ${res.status}: ${text.slice(0, 200)}`;
          if (!retryable(res.status)) return E.left(deliveryError(url, reason));
        } catch (err) {
          reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        }
      }
      return E.left(deliveryError(url, `gave up after ${attempts} attempts, last: ${reason}`));
    },
  };
};

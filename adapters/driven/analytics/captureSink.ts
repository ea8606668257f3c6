import * as fs from 'node:fs/promises';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { AnalyticsSink } from '../../../domain/analytics/ports.js';
import { toEngineError } from '../fs/fsError.js';

/** Env var Codex reads to capture analytics payloads to a file instead of sending them. */
export const ANALYTICS_EVENTS_CAPTURE_FILE_ENV = 'CODEX_ANALYTICS_EVENTS_CAPTURE_FILE';

/** The capture file from the environment (empty = unset), as Codex resolves it. */
export const captureFileFromEnv = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const v = env[ANALYTICS_EVENTS_CAPTURE_FILE_ENV];
  return v === undefined || v === '' ? undefined : v;
};

/**
 * Appends each payload as one JSON line (one write, O_APPEND; created 0600 like Codex's capture).
 * Choosing this sink is what disables network delivery: a failed write is reported, never
 * followed by an HTTP attempt.
 */
export const captureSink = (path: string): AnalyticsSink => ({
  kind: 'capture',
  deliver: (payload) =>
    TE.tryCatch(
      () => fs.appendFile(path, `${JSON.stringify(payload)}\n`, { mode: 0o600 }),
      toEngineError(path, 'capture analytics events'),
    ),
});

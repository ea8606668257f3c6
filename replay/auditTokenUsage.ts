import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EngineError } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import { buildTokenReport } from '../domain/tokens/report.js';
import type { TokenReport, TokenReportOptions } from '../domain/tokens/report.js';
import { storedResponses } from './internal/indexScans.js';

/**
 * Token-usage audit of a CODEX_HOME, answered from the index (its token projection), never by
 * re-reading rollout files: the caller catches the index up first.
 */
export const auditTokenUsage = (store: IndexStore, options: TokenReportOptions): TE.TaskEither<EngineError, TokenReport> =>
  pipe(
    storedResponses(store),
    TE.map((rows) => buildTokenReport(rows, options)),
  );

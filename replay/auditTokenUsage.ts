import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EngineError } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import { buildTokenReport } from '../domain/tokens/report.js';
import type { TokenReport, TokenReportOptions } from '../domain/tokens/report.js';
import { storedResponses } from './internal/indexScans.js';
import { sourceKindsOf } from './listThreads.js';

/**
 * Token-usage audit of a CODEX_HOME, answered from the index (its token projection and thread
 * rows, for each thread's client), never by re-reading rollout files: the caller catches the
 * index up first.
 */
export const auditTokenUsage = (store: IndexStore, options: Omit<TokenReportOptions, 'clientOf'>): TE.TaskEither<EngineError, TokenReport> =>
  pipe(
    TE.Do,
    TE.apS('rows', storedResponses(store)),
    TE.apS('threads', store.range('threads', [])),
    TE.map(({ rows, threads }) => {
      // The client a thread was used from: Codex's originator (codex_cli_rs, codex_vscode, …), else the kind of its source.
      const clients = new Map(threads.map((t) => [t.key[0], t.value.originator !== '' ? t.value.originator : (sourceKindsOf(t.value.source)[0] ?? null)]));
      return buildTokenReport(rows, { ...options, clientOf: (threadId) => clients.get(threadId) ?? null });
    }),
  );

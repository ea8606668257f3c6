import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { notFound, renderError } from '../../domain/errors.js';
import { ImportedRolloutFold, importedSessionMeta } from '../../domain/externalSessions/importedRollout.js';
import type { ImportedThreadInput } from '../../domain/externalSessions/importedRollout.js';
import { lineTimestamp, renderDrafts } from '../../domain/rollout/lineDraft.js';
import type { ExternalSessionRead, ImportPorts, SessionsLookedIn } from '../ports.js';
import { take, useCase } from '../../domain/effect.js';

/** Who the imported threads say wrote them (Codex records its client's name, version and surface). */
export interface ImportIdentity {
  readonly originator: string;
  readonly cliVersion: string;
  readonly source: string;
  readonly modelProvider: string;
}

export interface ImportSessionsParams {
  /** The session files to import; absent: every session detection offers. */
  readonly sessions?: ReadonlyArray<string> | undefined;
  readonly maxSessionAgeDays: number;
  readonly maxSessions: number;
  /** Say what would be imported, writing nothing. */
  readonly dryRun?: boolean | undefined;
  readonly identity: ImportIdentity;
  /** Told after each session, in order. */
  readonly onSession?: ((outcome: SessionImportOutcome, done: number, of: number) => void) | undefined;
}

/** What reading the source found besides the conversation (Beyond Codex: counted, never fatal). */
export interface SourceReport {
  readonly contentSha256: string;
  readonly badLines: number;
  readonly badLineSamples: ReadonlyArray<{ readonly line: number; readonly reason: string }>;
  readonly duplicateRows: number;
}

export type SessionImportOutcome =
  | {
      readonly status: 'imported' | 'wouldImport';
      readonly source: string;
      readonly cwd: string;
      readonly title: string | null;
      /** The new thread (null on a dry run). */
      readonly threadId: string | null;
      readonly path: string | null;
      readonly turns: number;
      readonly report: SourceReport;
    }
  | {
      readonly status: 'skipped';
      readonly source: string;
      readonly reason: 'alreadyImported' | 'noConversation' | 'cwdMissing';
      readonly report?: SourceReport;
    }
  | { readonly status: 'failed'; readonly source: string; readonly message: string; readonly error: EngineError }
  /** Named like a session but not read: a link out of the agent's home, a FIFO, socket or device. */
  | { readonly status: 'refused'; readonly source: string; readonly reason: string };

export interface ImportSessionsResult {
  readonly sessions: SessionImportOutcome[];
  /** Where the sessions were looked for, when they were detected (not named with `sessions`): what an answer with none says. */
  readonly lookedIn?: SessionsLookedIn;
}

const reportOf = (r: ExternalSessionRead): SourceReport => ({
  contentSha256: r.contentSha256,
  badLines: r.badLines,
  badLineSamples: r.badLineSamples,
  duplicateRows: r.duplicateRows,
});

/**
 * Import another agent's sessions into this home as Codex does (`externalAgentConfig/import`,
 * SESSIONS): each becomes a new thread whose rollout is streamed from the source (never held
 * whole), renamed into `sessions/YYYY/MM/DD/` once complete, named with the session's title,
 * recorded in Codex's ledger and indexed at once. A file is imported under its own lock and only if
 * the ledger does not hold its current content, so two imports (ours or Codex's) never make two
 * threads of it; a changed file is imported again as a new thread, as Codex does. One session's
 * failure is reported and the others go on.
 */
export const importSessions = (
  ports: ImportPorts,
  params: ImportSessionsParams,
): TE.TaskEither<EngineError, ImportSessionsResult> =>
  useCase(async () => {
    const detected =
      params.sessions === undefined
        ? await take(
            ports.externalSessions.detect({ maxAgeDays: params.maxSessionAgeDays, maxSessions: params.maxSessions }),
          )
        : undefined;
    const sources = params.sessions ?? detected?.offered.map((s) => s.path) ?? [];
    // What detection did not read (a link out of the agent's home, a FIFO) is reported, never opened.
    const outcomes: SessionImportOutcome[] = (detected?.refused ?? []).map((r) => ({
      status: 'refused',
      source: r.path,
      reason: r.refused,
    }));
    for (const [done, source] of sources.entries()) {
      const outcome = await importOne(ports, params, source)();
      const settled: SessionImportOutcome = E.isRight(outcome)
        ? outcome.right
        : { status: 'failed', source, message: renderError(outcome.left), error: outcome.left };
      outcomes.push(settled);
      params.onSession?.(settled, done + 1, sources.length);
    }
    return detected?.lookedIn === undefined
      ? { sessions: outcomes }
      : { sessions: outcomes, lookedIn: detected.lookedIn };
  });

const importOne = (
  ports: ImportPorts,
  params: ImportSessionsParams,
  source: string,
): TE.TaskEither<EngineError, SessionImportOutcome> =>
  useCase(async () => {
    const sessions = ports.externalSessions;
    const real = await take(sessions.canonical(source));
    return take(
      sessions.underSourceLock(
        real,
        useCase(async (): Promise<SessionImportOutcome> => {
          // Before writing: is this content in the ledger, and where did the session run? (The whole file hashed, parsed only up to its cwd.)
          const head = await take(sessions.head(real));
          if (await take(sessions.isImported(real, head.contentSha256)))
            return { status: 'skipped', source: real, reason: 'alreadyImported' };
          if (head.cwd === undefined || !(await take(sessions.isDirectory(head.cwd))))
            return { status: 'skipped', source: real, reason: 'cwdMissing' };
          if (params.dryRun === true) {
            const summary = await take(sessions.summarize(real));
            if (summary.userMessages === 0)
              return { status: 'skipped', source: real, reason: 'noConversation', report: reportOf(summary) };
            return {
              status: 'wouldImport',
              source: real,
              cwd: head.cwd,
              title: summary.title,
              threadId: null,
              path: null,
              turns: summary.userMessages,
              report: reportOf(summary),
            };
          }
          const now = ports.clock.now();
          const input: ImportedThreadInput = {
            threadId: ports.ids.uuidv7(),
            windowId: ports.ids.uuidv7(),
            timestamp: lineTimestamp(now),
            cwd: head.cwd,
            ...params.identity,
          };
          const fold = new ImportedRolloutFold(input.timestamp);
          const read = sessions.messages(real);
          const path = ports.files.pathFor(now, input.threadId);
          const created = await ports.files.createFrom(path, importedLines(input, fold, read.stream, real))();
          if (E.isLeft(created) && isNoConversation(created.left, real))
            return { status: 'skipped', source: real, reason: 'noConversation', report: reportOf(read.report()) };
          await take(created);
          // The title (a custom or AI title is often the file's last row) comes from the pass that wrote the thread.
          const report = read.report();
          if (report.title !== null && sessions.namesThreads)
            await take(ports.homeFiles.appendThreadName(input.threadId, report.title, now));
          await take(
            sessions.record([
              { sourcePath: real, contentSha256: report.contentSha256, threadId: input.threadId, title: report.title },
            ]),
          );
          await take(ports.indexer.catchUp([path]));
          return {
            status: 'imported',
            source: real,
            cwd: head.cwd,
            title: report.title,
            threadId: input.threadId,
            path,
            turns: fold.turnCount,
            report: reportOf(report),
          };
        }),
      ),
    );
  });

/** A session without a user message has nothing to import: the file is not created. */
const noConversation = (source: string): EngineError => notFound('conversation to import', source);
const isNoConversation = (e: EngineError, source: string): boolean =>
  e._tag === 'NotFound' && e.what === 'conversation to import' && e.id === source;

/** The thread's lines as the messages come; the session_meta only once a user message opens a turn. */
async function* importedLines(
  input: ImportedThreadInput,
  fold: ImportedRolloutFold,
  messages: AsyncIterable<import('../../domain/externalSessions/claudeRecord.js').ConversationMessage>,
  source: string,
): AsyncGenerator<string> {
  let started = false;
  for await (const message of messages) {
    const drafts = fold.push(message);
    if (drafts.length === 0) continue;
    if (!started) yield* renderDrafts([importedSessionMeta(input)], null);
    started = true;
    yield* renderDrafts(drafts, null);
  }
  // Thrown into createFrom, which then leaves nothing behind and answers this error.
  if (!started) throw noConversation(source);
  yield* renderDrafts(fold.finish(), null);
}

import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { isEngineError, renderError } from '../../../domain/errors.js';
import type { ConversationMessage } from '../../../domain/externalSessions/claudeRecord.js';
import type {
  CompletedSessionImport,
  DetectedExternalSession,
  DetectedExternalSessions,
  ExternalSessionRead,
  ExternalSessions,
  RefusedExternalSession,
} from '../../../replay/ports.js';
import type { ExternalAgent } from '../../../domain/externalConfig/migration.js';
import { importLockPathOf } from './importLock.js';
import { acquireLock, lockPathFor, releaseLock } from '../fs/lockFile.js';
import { toEngineError } from '../fs/fsError.js';
import { headOfClaudeSession, readClaudeSession, summarizeClaudeSession } from './claudeSessionFile.js';
import { holdsCurrent, ledgerPathOf, loadLedger, nanosText, saveLedger, withImports } from './importLedger.js';
import type { Ledger } from './importLedger.js';
import type { SessionLayout } from './sessionLayouts.js';
import { CLAUDE_LAYOUT, CURSOR_LAYOUT, isDir, projectFolder, readDirEntries } from './sessionLayouts.js';

export { decodeCursorProjectPath } from './sessionLayouts.js';

// An import of a big session holds its source's lock for as long as it reads it.
const SOURCE_LOCK_WAIT_MS = 30 * 60_000;

/** Claude Code's home: the flag, else `CLAUDE_CONFIG_DIR`, else `~/.claude`. */
export const claudeHomeOf = (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string =>
  flag ??
  (env['CLAUDE_CONFIG_DIR'] !== undefined && env['CLAUDE_CONFIG_DIR'] !== ''
    ? env['CLAUDE_CONFIG_DIR']
    : nodePath.join(env['HOME'] ?? os.homedir(), '.claude'));

const attempt =
  <A>(path: string, op: string, work: () => Promise<A>): TE.TaskEither<EngineError, A> =>
  async () => {
    try {
      return E.right(await work());
    } catch (err) {
      return E.left(toEngineError(path, op)(err));
    }
  };

/** The agent's home: the flag, else (Claude Code) `CLAUDE_CONFIG_DIR`, else `~/.claude` / `~/.cursor`. */
export const agentHomeOf = (
  agent: ExternalAgent,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string =>
  agent === 'claude' ? claudeHomeOf(flag, env) : (flag ?? nodePath.join(env['HOME'] ?? os.homedir(), '.cursor'));

/** The sessions of a Claude Code home and the ledger of a Codex home, as `ExternalSessions`. */
export const claudeCodeSessions = (
  claudeHome: string,
  codexHome: string,
  now: () => number = Date.now,
): ExternalSessions => agentSessions(CLAUDE_LAYOUT, claudeHome, codexHome, now);

/** An agent's sessions (Claude Code or Cursor) and the ledger of a Codex home, as `ExternalSessions`. */
export const externalAgentSessions = (
  agent: ExternalAgent,
  home: string,
  codexHome: string,
  now: () => number = Date.now,
): ExternalSessions => agentSessions(agent === 'claude' ? CLAUDE_LAYOUT : CURSOR_LAYOUT, home, codexHome, now);

/** Sessions a detection leaves out, by why. */
interface LeftOut {
  olderThanWindow: number;
  alreadyImported: number;
  noWorkingDirectory: number;
}

/** One detection's look at an agent's sessions: where, and what it refuses and leaves out as it goes. */
interface DetectionLook {
  readonly layout: SessionLayout;
  readonly claudeHome: string;
  readonly refused: RefusedExternalSession[];
  readonly leftOut: LeftOut;
}

type Candidate = { nanos: bigint; path: string; real: string };

/**
 * The session files of every project folder modified within the window and not imported as they
 * are (Codex's unchanged-file skip), newest first; and how many session files there were.
 */
const sessionCandidates = async (
  look: DetectionLook,
  projects: string,
  oldest: number,
  ledger: Ledger,
): Promise<{ candidates: Candidate[]; sessionFiles: number }> => {
  const { layout, claudeHome, refused, leftOut } = look;
  const states = new Map(ledger.records.map((r) => [r.source_path, r] as const));
  const candidates: Candidate[] = [];
  let sessionFiles = 0;
  for (const entry of await readDirEntries(projects, refused)) {
    const folder = await projectFolder(nodePath.join(projects, entry.name), entry, claudeHome);
    if (folder?.refused !== undefined) refused.push(folder);
    if (folder === undefined || folder.refused !== undefined) continue;
    for (const file of await layout.files(folder.path, claudeHome)) {
      if (file.refused !== undefined) {
        refused.push(file);
        continue;
      }
      const path = file.path;
      sessionFiles++;
      const st = await fs.stat(path, { bigint: true }).catch(() => undefined);
      if (st === undefined) continue;
      const seconds = Number(st.mtimeNs / 1_000_000_000n);
      if (seconds < oldest) {
        leftOut.olderThanWindow++;
        continue;
      }
      const real = await fs.realpath(path).catch(() => undefined);
      if (real === undefined) continue;
      // Codex's unchanged-file skip: the same mtime as recorded (or, with none recorded, not modified since the import).
      const state = states.get(real);
      if (state !== undefined) {
        const recorded = state.source_modified_at ?? null;
        if (recorded === nanosText(st.mtimeNs) || (recorded === null && seconds <= state.imported_at)) {
          leftOut.alreadyImported++;
          continue;
        }
      }
      candidates.push({ nanos: st.mtimeNs, path, real });
    }
  }
  // Codex's order: its heap of `(Reverse(mtime ns), path)` read out ascending, so newest first and,
  // within one mtime (files written in the same clock tick share it), by path ascending; the cut to
  // `maxSessions` keeps the head (codex-rs external-agent sessions `detect_recent_sessions`).
  candidates.sort((a, b) =>
    a.nanos === b.nanos ? (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) : a.nanos > b.nanos ? -1 : 1,
  );
  return { candidates, sessionFiles };
};

/** The candidates read: those offered, and those touched with their content already imported (their time to refresh). */
const offeredSessions = async (
  look: DetectionLook,
  ledger: Ledger,
  candidates: ReadonlyArray<Candidate>,
): Promise<{ found: DetectedExternalSession[]; refreshed: Array<{ real: string; nanos: bigint }> }> => {
  const { layout, refused, leftOut } = look;
  const found: DetectedExternalSession[] = [];
  const refreshed: Array<{ real: string; nanos: bigint }> = [];
  for (const c of candidates) {
    // Read at its real path (`openRegularFile`: a link swapped in since is not followed, a FIFO not waited on).
    const summary = await summarizeClaudeSession(c.real, await layout.fallback(c.path)).catch((err: unknown) => {
      if (isEngineError(err)) refused.push({ path: c.path, refused: renderError(err) });
      return undefined;
    });
    if (summary === undefined) continue;
    // Touched but with the content already imported: the ledger learns the new time instead.
    if (holdsCurrent(ledger, c.real, summary.contentSha256)) {
      refreshed.push({ real: c.real, nanos: c.nanos });
      leftOut.alreadyImported++;
      continue;
    }
    if (summary.cwd === undefined || !(await layout.offered(summary))) {
      leftOut.noWorkingDirectory++;
      continue;
    }
    found.push({ path: c.path, cwd: summary.cwd, title: summary.title });
  }
  return { found, refreshed };
};

/** The ledger with each refreshed source's record moved last, stamped now with its new modification time. */
const refreshedLedger = (
  current: Ledger,
  refreshed: ReadonlyArray<{ real: string; nanos: bigint }>,
  now: () => number,
): Ledger => {
  const records = [...current.records];
  for (const r of refreshed) {
    const at = records.findIndex((x) => x.source_path === r.real);
    if (at >= 0)
      records.push({
        ...records.splice(at, 1)[0]!,
        imported_at: Math.floor(now() / 1000),
        source_modified_at: nanosText(r.nanos),
      });
  }
  return { ...current, records };
};

// long: a port's factory: the methods it returns share its closure's state
const agentSessions = (
  layout: SessionLayout,
  claudeHome: string,
  codexHome: string,
  now: () => number,
): ExternalSessions => {
  const withLedgerLock = async <A>(work: (ledger: Ledger) => Promise<{ ledger?: Ledger; answer: A }>): Promise<A> => {
    const lock = await acquireLock(lockPathFor(ledgerPathOf(codexHome)));
    try {
      const { ledger, answer } = await work(await loadLedger(codexHome));
      if (ledger !== undefined) await saveLedger(codexHome, ledger);
      return answer;
    } finally {
      await releaseLock(lock);
    }
  };

  const detect = (limits: {
    readonly maxAgeDays: number;
    readonly maxSessions: number;
  }): TE.TaskEither<EngineError, DetectedExternalSessions> =>
    attempt(claudeHome, 'detect', async () => {
      const projects = nodePath.join(claudeHome, 'projects');
      if (!(await isDir(projects)))
        return { offered: [], refused: [], lookedIn: { folder: projects, exists: false, sessionFiles: 0 } };
      const nowSeconds = Math.floor(now() / 1000);
      const oldest = nowSeconds - limits.maxAgeDays * 24 * 60 * 60;
      const ledger = await loadLedger(codexHome);
      const refused: RefusedExternalSession[] = [];
      const leftOut: LeftOut = { olderThanWindow: 0, alreadyImported: 0, noWorkingDirectory: 0 };
      const look = { layout, claudeHome, refused, leftOut };
      const { candidates, sessionFiles } = await sessionCandidates(look, projects, oldest, ledger);
      const { found, refreshed } = await offeredSessions(look, ledger, candidates.slice(0, limits.maxSessions));
      if (refreshed.length > 0)
        await withLedgerLock(async (current) => ({
          ledger: refreshedLedger(current, refreshed, now),
          answer: undefined,
        }));
      return { offered: found, refused, lookedIn: { folder: projects, exists: true, sessionFiles, ...leftOut } };
    });

  return {
    namesThreads: layout.namesThreads,
    detect,
    canonical: (path) => attempt(path, 'realpath', () => fs.realpath(path)),
    isImported: (real, contentSha256) =>
      attempt(real, 'read ledger', async () => holdsCurrent(await loadLedger(codexHome), real, contentSha256)),
    head: (real) => attempt(real, 'read', async () => headOfClaudeSession(real, await layout.fallback(real))),
    summarize: (real) => attempt(real, 'read', async () => summarizeClaudeSession(real, await layout.fallback(real))),
    messages: (real) => {
      let report: ExternalSessionRead | undefined;
      const stream: AsyncIterable<ConversationMessage> = {
        async *[Symbol.asyncIterator]() {
          const reader = readClaudeSession(real, await layout.fallback(real));
          for (;;) {
            const next = await reader.next();
            if (next.done === true) {
              report = next.value;
              return;
            }
            yield next.value;
          }
        },
      };
      return {
        stream,
        report: () => {
          if (report === undefined) throw new Error('the session was not read to its end');
          return report;
        },
      };
    },
    isDirectory: (path) => attempt(path, 'stat', () => isDir(path)),
    underSourceLock: (real, work) => async () => {
      let lock;
      try {
        lock = await acquireLock(importLockPathOf(codexHome, real), { waitMs: SOURCE_LOCK_WAIT_MS });
      } catch (err) {
        return E.left(toEngineError(real, 'lock')(err));
      }
      try {
        return await work();
      } finally {
        await releaseLock(lock);
      }
    },
    record: (imports: ReadonlyArray<CompletedSessionImport>) =>
      attempt(ledgerPathOf(codexHome), 'write ledger', () =>
        withLedgerLock(async (ledger) => {
          const withTimes = await Promise.all(
            imports.map(async (i) => {
              const st = await fs.stat(i.sourcePath, { bigint: true }).catch(() => undefined);
              return { ...i, sourceModifiedAt: st === undefined ? null : nanosText(st.mtimeNs) };
            }),
          );
          return { ledger: withImports(ledger, withTimes, Math.floor(now() / 1000)), answer: undefined };
        }),
      ),
  };
};

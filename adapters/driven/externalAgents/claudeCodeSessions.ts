import { statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
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
import { realPathInside } from './agentFiles.js';
import { importLockPathOf } from './importLock.js';
import { acquireLock, lockPathFor, releaseLock } from '../fs/lockFile.js';
import { toEngineError } from '../fs/fsError.js';
import { headOfClaudeSession, readClaudeSession, summarizeClaudeSession } from './claudeSessionFile.js';
import type { SessionFallback } from './claudeSessionFile.js';
import { holdsCurrent, ledgerPathOf, loadLedger, nanosText, saveLedger, withImports } from './importLedger.js';
import type { Ledger } from './importLedger.js';
import { unreadableFolder } from '../jsonl/home/discover.js';

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

const isDir = async (path: string): Promise<boolean> =>
  (await fs.stat(path).catch(() => undefined))?.isDirectory() === true;

/**
 * A folder's entries by name: none when it is not there; one its user may not list (mode 000:
 * EACCES) is refused with the reason, reported like an unreadable session file, never fatal.
 */
const listFolder = async (path: string): Promise<Dirent[] | RefusedExternalSession> => {
  try {
    return (await fs.readdir(path, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (err) {
    const unreadable = unreadableFolder(err);
    return unreadable === undefined ? [] : { path, refused: unreadable };
  }
};

/** A folder's entries by name, an unreadable one's reported in `refused` (`listFolder`). */
const readDirEntries = async (path: string, refused: RefusedExternalSession[]): Promise<Dirent[]> => {
  const listed = await listFolder(path);
  if (Array.isArray(listed)) return listed;
  refused.push(listed);
  return [];
};

/** Where an agent keeps its sessions under its home's `projects/`, and what Codex asks of one it offers. */
interface SessionLayout {
  /** The session files of one project folder (each a regular file inside the agent's home, or refused with the reason). */
  readonly files: (projectFolder: string, agentHome: string) => Promise<SessionEntry[]>;
  /** What the folder says when the records do not (Cursor: the cwd its name encodes, the file's mtime). */
  readonly fallback: (path: string) => Promise<SessionFallback | undefined>;
  /** Claude Code's sessions are offered only with a cwd that exists and a message with a time; Codex checks Cursor's at import. */
  readonly offered: (s: ExternalSessionRead) => Promise<boolean>;
  /** Codex 0.169.0 names a Claude Code import with its title, not a Cursor one (seen on the binary). */
  readonly namesThreads: boolean;
}

/** A file named like a session: to read, or refused with the reason. */
type SessionEntry = { readonly path: string; readonly refused?: undefined } | RefusedExternalSession;

const NOT_REGULAR = 'not a regular file (a FIFO, socket or device): not read';

/**
 * An entry of a folder the sessions are looked for in, as it may be read: a regular file, or a
 * link whose target (links resolved) is a regular file inside the agent's home; anything else is
 * refused with the reason, never opened (a FIFO's open would block).
 */
const sessionEntry = async (path: string, entry: Dirent, agentHome: string): Promise<SessionEntry> => {
  if (entry.isFile()) return { path };
  if (!entry.isSymbolicLink()) return { path, refused: NOT_REGULAR };
  const inside = await realPathInside(path, agentHome);
  if ('refused' in inside) return { path, refused: inside.refused };
  return (await fs.stat(inside.real).catch(() => undefined))?.isFile() === true
    ? { path }
    : { path, refused: `${path} is a link to ${inside.real}: ${NOT_REGULAR}` };
};

/** A project folder: a real folder, or a link to one inside the agent's home; refused otherwise (undefined: not a folder at all). */
const projectFolder = async (path: string, entry: Dirent, agentHome: string): Promise<SessionEntry | undefined> => {
  if (entry.isDirectory()) return { path };
  if (!entry.isSymbolicLink()) return undefined;
  const inside = await realPathInside(path, agentHome);
  if ('refused' in inside) return { path, refused: `a project folder: ${inside.refused}` };
  return (await isDir(inside.real)) ? { path } : undefined;
};

const CLAUDE_LAYOUT: SessionLayout = {
  files: async (folder, agentHome) => {
    const refused: RefusedExternalSession[] = [];
    const entries = await readDirEntries(folder, refused);
    return [
      ...refused,
      ...(await Promise.all(
        entries
          .filter((e) => nodePath.extname(e.name) === '.jsonl')
          .map((e) => sessionEntry(nodePath.join(folder, e.name), e, agentHome)),
      )),
    ];
  },
  fallback: async () => undefined,
  offered: async (s) => detectable(s) && s.cwd !== undefined && (await isDir(s.cwd)),
  namesThreads: true,
};

/** Cursor's agent transcripts: `projects/<encoded cwd>/agent-transcripts/**.jsonl`, sub-agents' folders left out, as Codex reads them. */
const CURSOR_LAYOUT: SessionLayout = {
  files: async (folder, agentHome) => {
    if (decodeCursorProjectPath(nodePath.basename(folder)) === undefined) return [];
    const found: SessionEntry[] = [];
    const refused: RefusedExternalSession[] = [];
    const pending = [nodePath.join(folder, 'agent-transcripts')];
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
      for (const e of await readDirEntries(dir, refused)) {
        if (e.isDirectory()) {
          if (e.name !== 'subagents') pending.push(nodePath.join(dir, e.name));
        } else if (nodePath.extname(e.name) === '.jsonl')
          found.push(await sessionEntry(nodePath.join(dir, e.name), e, agentHome));
      }
    }
    return [...refused, ...found].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  },
  fallback: async (path) => {
    const m = /[/\\]projects[/\\]([^/\\]+)[/\\]agent-transcripts[/\\]/.exec(path);
    const cwd = m === null ? undefined : decodeCursorProjectPath(m[1]!);
    if (cwd === undefined) return undefined;
    const st = await fs.stat(path).catch(() => undefined);
    return { cwd, timestamp: st === undefined ? null : Math.floor(st.mtimeMs / 1000) };
  },
  offered: async (s) => s.cwd !== undefined && s.latestTimestamp !== null,
  namesThreads: false,
};

/**
 * The folder a Cursor project name encodes (`/` became `-`, and so did any `-` in a name): the
 * first reading, left to right, whose every prefix is an existing folder, as Codex decodes it.
 */
export const decodeCursorProjectPath = (encoded: string): string | undefined =>
  decodeFrom(encoded, '/', 0) ?? (encoded.startsWith('-') ? decodeFrom(encoded.slice(1), '/', 0) : undefined);

const isDirSync = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

const decodeFrom = (encoded: string, base: string, depth: number): string | undefined => {
  if (encoded === '' || depth > 32) return undefined;
  const whole = nodePath.join(base, encoded);
  if (isDirSync(whole)) return whole;
  for (let i = encoded.indexOf('-'); i >= 0; i = encoded.indexOf('-', i + 1)) {
    const segment = encoded.slice(0, i);
    if (segment === '' || !isDirSync(nodePath.join(base, segment))) continue;
    const found = decodeFrom(encoded.slice(i + 1), nodePath.join(base, segment), depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
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
      const states = new Map(ledger.records.map((r) => [r.source_path, r] as const));
      const candidates: Array<{ nanos: bigint; path: string; real: string }> = [];
      const refused: RefusedExternalSession[] = [];
      let sessionFiles = 0;
      const leftOut = { olderThanWindow: 0, alreadyImported: 0, noWorkingDirectory: 0 };
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
      candidates.sort((a, b) =>
        a.nanos === b.nanos ? (a.path < b.path ? 1 : a.path > b.path ? -1 : 0) : a.nanos > b.nanos ? -1 : 1,
      );
      const found: DetectedExternalSession[] = [];
      const refreshed: Array<{ real: string; nanos: bigint }> = [];
      for (const c of candidates.slice(0, limits.maxSessions)) {
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
      if (refreshed.length > 0) {
        await withLedgerLock(async (current) => {
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
          return { ledger: { ...current, records }, answer: undefined };
        });
      }
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

/** What Codex offers: a session with a working directory and a message with a time. */
const detectable = (s: ExternalSessionRead): boolean => s.cwd !== undefined && s.latestTimestamp !== null;

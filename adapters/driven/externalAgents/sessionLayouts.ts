import { statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { ExternalSessionRead, RefusedExternalSession } from '../../../replay/ports.js';
import { realPathInside } from './agentFiles.js';
import type { SessionFallback } from './claudeSessionFile.js';
import { unreadableFolder } from '../jsonl/home/discover.js';

/**
 * Where Claude Code and Cursor keep their sessions under their home's `projects/` (claudeCodeSessions.ts
 * reads them): the folders and files looked at, and what each agent's session needs to be offered.
 */

export const isDir = async (path: string): Promise<boolean> =>
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
export const readDirEntries = async (path: string, refused: RefusedExternalSession[]): Promise<Dirent[]> => {
  const listed = await listFolder(path);
  if (Array.isArray(listed)) return listed;
  refused.push(listed);
  return [];
};

/** Where an agent keeps its sessions under its home's `projects/`, and what Codex asks of one it offers. */
export interface SessionLayout {
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
export const projectFolder = async (
  path: string,
  entry: Dirent,
  agentHome: string,
): Promise<SessionEntry | undefined> => {
  if (entry.isDirectory()) return { path };
  if (!entry.isSymbolicLink()) return undefined;
  const inside = await realPathInside(path, agentHome);
  if ('refused' in inside) return { path, refused: `a project folder: ${inside.refused}` };
  return (await isDir(inside.real)) ? { path } : undefined;
};

export const CLAUDE_LAYOUT: SessionLayout = {
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
export const CURSOR_LAYOUT: SessionLayout = {
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

/** What Codex offers: a session with a working directory and a message with a time. */
const detectable = (s: ExternalSessionRead): boolean => s.cwd !== undefined && s.latestTimestamp !== null;

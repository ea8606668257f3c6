import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { errnoCode, toEngineError } from './toEngineError.js';

/** A line of `session_index.jsonl`, appended by `thread/name/set`. */
const SessionIndexEntry = t.type({ id: t.string, thread_name: t.string });

/** The file's text; undefined when there is no file (no thread was ever named). */
const textOf = async (path: string): Promise<string | undefined> => {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
};

/**
 * Thread names by id; the last entry for an id wins. An undecodable line is skipped here because
 * the file is Codex's own name log, not history; it is reported through `onBadLine`.
 */
export const readThreadNames = (
  home: string,
  onBadLine: (lineNo: number, reason: string) => void = () => undefined,
): TE.TaskEither<EngineError, ReadonlyMap<string, string>> => {
  const path = nodePath.join(home, 'session_index.jsonl');
  return TE.tryCatch(
    async () => {
      const text = await textOf(path);
      if (text === undefined) return new Map<string, string>();
      const names = new Map<string, string>();
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch (e) {
          onBadLine(i, `not JSON: ${(e as Error).message}`);
          return;
        }
        const r = SessionIndexEntry.decode(json);
        if (E.isLeft(r)) onBadLine(i, 'not a session index entry');
        else names.set(r.right.id, r.right.thread_name);
      });
      return names;
    },
    (err) => toEngineError(path, 'read session index')(err),
  );
};

/** Codex's `updated_at`: RFC 3339 UTC, the second's fraction without trailing zeros (`…07.259262273Z`, `…02.39668894Z`); our clock has milliseconds. */
const codexTimestamp = (at: Date): string => at.toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => (/^0+$/.test(ms) ? 'Z' : `.${ms.replace(/0+$/, '')}Z`));

/** The line `thread/name/set` appends, keys in Codex's order. */
export const sessionIndexLine = (threadId: string, name: string, at: Date): string =>
  `${JSON.stringify({ id: threadId, thread_name: name, updated_at: codexTimestamp(at) })}\n`;

/** Append one rename: one `O_APPEND` write of one line (Codex appends the same way, so neither writer's line is torn by the other's). */
export const appendThreadName = (home: string, threadId: string, name: string, at: Date): TE.TaskEither<EngineError, void> =>
  appendSessionIndexLine(home, sessionIndexLine(threadId, name, at));

/** Append one line as it is (ending in a newline), as `appendThreadName` appends a rename's: a mirrored home's own line, given back. */
export const appendSessionIndexLine = (home: string, line: string): TE.TaskEither<EngineError, void> => {
  const path = nodePath.join(home, 'session_index.jsonl');
  return TE.tryCatch(
    async () => {
      const fh = await fs.open(path, 'a');
      try {
        await fh.write(line);
        await fh.datasync();
      } finally {
        await fh.close();
      }
    },
    toEngineError(path, 'append session index'),
  );
};

/** Drop every line of a thread (thread/delete, as Codex does): the kept lines, byte for byte, are written to a temporary file renamed over the old one. */
export const forgetThreadNames = (home: string, threadId: string): TE.TaskEither<EngineError, void> => {
  const path = nodePath.join(home, 'session_index.jsonl');
  return TE.tryCatch(
    async () => {
      const text = await textOf(path);
      if (text === undefined) return;
      const ofThread = (line: string): boolean => {
        try {
          const r = SessionIndexEntry.decode(JSON.parse(line));
          return E.isRight(r) && r.right.id === threadId;
        } catch {
          return false;
        }
      };
      const lines = text.split('\n');
      const kept = lines.filter((l, i) => !(l.trim() !== '' && ofThread(l)) && !(i === lines.length - 1 && l === ''));
      if (kept.length === lines.filter((l, i) => !(i === lines.length - 1 && l === '')).length) return;
      const tmp = `${path}.${process.pid}.tmp`;
      await fs.writeFile(tmp, kept.map((l) => `${l}\n`).join(''));
      await fs.rename(tmp, path);
    },
    toEngineError(path, 'rewrite session index'),
  );
};

/** A rename line of `session_index.jsonl` as it is written: its thread, name, `updated_at` ('' when it has none) and exact text (with its newline). */
export interface SessionIndexEntryLine {
  readonly threadId: string;
  readonly name: string;
  readonly at: string;
  readonly line: string;
}

/**
 * Every rename line of the file in order, each with its exact text (mirroring gives them back
 * byte for byte), and how many lines were not renames (not JSON, not an entry): those are
 * counted, not given. A last line without a newline is still being written: left out.
 */
export const sessionIndexEntries = (home: string): TE.TaskEither<EngineError, { readonly entries: SessionIndexEntryLine[]; readonly skipped: number }> => {
  const path = nodePath.join(home, 'session_index.jsonl');
  return TE.tryCatch(
    async () => {
      const text = (await textOf(path)) ?? '';
      const entries: SessionIndexEntryLine[] = [];
      let skipped = 0;
      for (const line of text
        .slice(0, text.lastIndexOf('\n') + 1)
        .split('\n')
        .slice(0, -1)) {
        if (line.trim() === '') continue;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          skipped += 1;
          continue;
        }
        const r = SessionIndexEntry.decode(json);
        if (E.isLeft(r)) {
          skipped += 1;
          continue;
        }
        const at = (json as { updated_at?: unknown }).updated_at;
        entries.push({ threadId: r.right.id, name: r.right.thread_name, at: typeof at === 'string' ? at : '', line: `${line}\n` });
      }
      return { entries, skipped };
    },
    (err) => toEngineError(path, 'read session index')(err),
  );
};

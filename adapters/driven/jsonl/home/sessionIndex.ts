import * as nodePath from 'node:path';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../../domain/errors.js';
import { readTextNoFollow } from '../../fs/heldRead.js';
import { LinkRefused, deniesAccess, errnoCode, toEngineError } from '../../fs/fsError.js';
import { parseJson } from '../../../../domain/jsonNesting.js';

/** A line of `session_index.jsonl`, appended by `thread/name/set`. */
const SessionIndexEntry = t.type({ id: t.string, thread_name: t.string });

/** Codex's name log in a home. */
export const sessionIndexPath = (home: string): string => nodePath.join(home, 'session_index.jsonl');

/**
 * The mode Codex gives the file it creates (`OpenOptions::create`: 0666 less the usual umask 022),
 * ours whatever the umask; a file that exists keeps its own, as its owner set it.
 */
export const SESSION_INDEX_MODE = 0o644;

/** Whether a name in CODEX_HOME is what a killed rewrite or append of ours left: the rewrite's temp file (`tempPathBeside`), our lock, its breaker. */
export const isSessionIndexLeftover = (name: string): boolean =>
  name.startsWith('.session_index.jsonl.') || name.startsWith('session_index.jsonl.lock');

/** The file's text, read without following a link (a home's owner may have planted one); undefined when there is no file. */
export const sessionIndexText = (home: string): Promise<string | undefined> =>
  readTextNoFollow(home, sessionIndexPath(home)).catch((err: unknown) =>
    errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err),
  );

/**
 * Thread names by id; the last entry for an id wins. An undecodable line is skipped here because
 * the file is Codex's own name log, not history; it is reported through `onBadLine`.
 */
export const readThreadNames = (
  home: string,
  onBadLine: (lineNo: number, reason: string) => void = () => undefined,
  onSkipped: (e: EngineError) => void = () => undefined,
): TE.TaskEither<EngineError, ReadonlyMap<string, string>> => {
  const path = sessionIndexPath(home);
  return TE.tryCatch(
    async () => {
      let text: string | undefined;
      try {
        text = await sessionIndexText(home);
      } catch (err) {
        // A link, a FIFO or a device there (refused, never waited on), or a file this user may not
        // read: the names are unknown, the threads are not; they are listed without names (reported).
        if (!(err instanceof LinkRefused) && !deniesAccess(err)) throw err;
        onSkipped(toEngineError(path, 'read session index')(err));
        text = undefined;
      }
      if (text === undefined) return new Map<string, string>();
      const names = new Map<string, string>();
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        let json: unknown;
        try {
          json = parseJson(line);
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
const codexTimestamp = (at: Date): string =>
  at.toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => (/^0+$/.test(ms) ? 'Z' : `.${ms.replace(/0+$/, '')}Z`));

/** The line `thread/name/set` appends, keys in Codex's order. */
export const sessionIndexLine = (threadId: string, name: string, at: Date): string =>
  `${JSON.stringify({ id: threadId, thread_name: name, updated_at: codexTimestamp(at) })}\n`;

/** The complete lines of `text` (each with its newline, byte for byte) less the thread's entries, Codex's test: the line decodes as an entry naming it. */
export const withoutThread = (text: string, threadId: string): { readonly kept: string; readonly dropped: number } => {
  let kept = '';
  let dropped = 0;
  for (const line of text.split(/(?<=\n)/)) {
    let ofThread = false;
    try {
      const r = SessionIndexEntry.decode(parseJson(line));
      ofThread = E.isRight(r) && r.right.id === threadId;
    } catch {
      // Not JSON: not an entry, kept as it is.
    }
    if (ofThread) dropped += 1;
    else kept += line;
  }
  return { kept, dropped };
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
export const sessionIndexEntries = (
  home: string,
): TE.TaskEither<EngineError, { readonly entries: SessionIndexEntryLine[]; readonly skipped: number }> => {
  const path = sessionIndexPath(home);
  return TE.tryCatch(
    async () => {
      const text = (await sessionIndexText(home)) ?? '';
      const entries: SessionIndexEntryLine[] = [];
      let skipped = 0;
      for (const line of text
        .slice(0, text.lastIndexOf('\n') + 1)
        .split('\n')
        .slice(0, -1)) {
        if (line.trim() === '') continue;
        let json: unknown;
        try {
          json = parseJson(line);
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
        entries.push({
          threadId: r.right.id,
          name: r.right.thread_name,
          at: typeof at === 'string' ? at : '',
          line: `${line}\n`,
        });
      }
      return { entries, skipped };
    },
    (err) => toEngineError(path, 'read session index')(err),
  );
};

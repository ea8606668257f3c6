import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { errnoCode, toEngineError } from './toEngineError.js';

/** A line of `session_index.jsonl`, appended by `thread/name/set`. */
const SessionIndexEntry = t.type({ id: t.string, thread_name: t.string });

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
      let text: string;
      try {
        text = await fs.readFile(path, 'utf8');
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return new Map<string, string>();
        throw err;
      }
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

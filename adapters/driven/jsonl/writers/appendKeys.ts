import { createHash } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../../domain/errors.js';
import type { AppendKeys } from '../../../../replay/ports.js';
import { acquireLock, lockPathFor, releaseLock } from '../../fs/lockFile.js';
import { toEngineError } from '../../fs/fsError.js';
import { followFile } from '../readers/followedFile.js';
import { readAtMost } from '../lines/lineScanner.js';
import { mkdirNoFollow } from '../../fs/noFollow.js';
import { openToReadSync } from '../../fs/heldRead.js';
import { appendNoFollow } from '../../fs/appendNoFollow.js';
import { parseJson } from '../../../../domain/jsonNesting.js';

/** One line of the log, as read back (a sidecar file: decoded like every byte that enters). */
const AppendRecordLine = t.intersection([
  t.type({
    idempotencyKey: t.string,
    threadId: t.string,
    path: t.string,
    firstOrdinal: t.number,
    lines: t.number,
    ordinal: t.number,
    byteOffset: t.number,
  }),
  // The SHA-256 of the lines as written (each followed by its newline): a reused key with other
  // lines is told from a retry. Absent from the records of engines before it.
  t.partial({ linesSha256: t.string }),
]);
type AppendRecordLine = t.TypeOf<typeof AppendRecordLine>;

const linesSha256 = (lines: ReadonlyArray<string>): string => {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line, 'utf8').update('\n');
  return hash.digest('hex');
};

/** The log's file in an index dir. */
export const appendKeysFileOf = (indexDir: string): string => nodePath.join(indexDir, 'append-keys.jsonl');

/**
 * The idempotency keys of `rollout/append`, an append-only JSONL log of the engine's own beside
 * the index (`<indexDir>/append-keys.jsonl`, one record per append, fsynced). It is not in LMDB:
 * a rebuilt index keeps them. Each look reads only what was appended since the last one (another
 * process appends too); writers take the file's lock. A line that does not decode (a torn write)
 * is skipped: its append is still found from the rollout itself (`replay/mutations/appendLines.ts`). No link
 * is followed below `root` (`confinementRoot`); the file is 0600 and the folder 0700 whatever the umask.
 */
export const fileAppendKeys = (indexDir: string, root: string = indexDir): AppendKeys => {
  const file = appendKeysFileOf(indexDir);
  const known = new Map<string, AppendRecordLine>();
  const followed = followFile(file);

  /** Bring `known` up to the file as it is now: each call made at once (`FollowedFile.unread` says why). */
  const look = (): void => {
    const unread = followed.unread();
    if (unread === null || unread.restarted) known.clear();
    if (unread === null || unread.from === unread.size) return;
    const fd = openToReadSync(file, root);
    try {
      const bytes = Buffer.alloc(unread.size - unread.from);
      const got = readAtMost(fd, bytes, unread.from);
      const end = bytes.subarray(0, got).lastIndexOf(0x0a) + 1;
      for (const text of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (text === '') continue;
        let json: unknown;
        try {
          json = parseJson(text);
        } catch {
          continue;
        }
        const r = AppendRecordLine.decode(json);
        if (E.isRight(r)) known.set(r.right.idempotencyKey, r.right);
      }
      followed.readTo(unread.from + end);
    } finally {
      fsSync.closeSync(fd);
    }
  };

  return {
    find: (key, lines) =>
      TE.tryCatch(
        async () => {
          look();
          const found = known.get(key);
          if (found === undefined) return undefined;
          const { linesSha256: digest, ...record } = found;
          return { record, sameLines: digest === undefined ? 'unknown' : digest === linesSha256(lines) };
        },
        toEngineError(file, 'read'),
      ),
    record: (r, lines) =>
      TE.tryCatch(
        async () => {
          await mkdirNoFollow(root, indexDir, 0o700);
          const lock = await acquireLock(lockPathFor(file));
          try {
            await appendNoFollow(
              root,
              file,
              `${JSON.stringify(AppendRecordLine.encode({ ...r, linesSha256: linesSha256(lines) }))}\n`,
              0o600,
              true,
            );
          } finally {
            await releaseLock(lock).catch(() => false);
          }
        },
        (err): EngineError => toEngineError(file, 'append')(err),
      ),
  };
};

import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../domain/errors.js';
import { conflict, invalidArgument } from '../../domain/errors.js';
import { currentSegmentOf } from '../../domain/history/lineage.js';
import { classifyRolloutLine } from '../../domain/rollout/event.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import type { AppendResult } from '../../domain/ports.js';
import { historyEnd, lineageToChange } from '../internal/lineage.js';
import type { AppendRecord, MutationPorts } from '../ports.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';
import { writingFiles } from '../internal/writingFiles.js';

/** What `rollout/append` asks (the protocol's params). */
export type AppendLinesRequest = ParamsOf<'rollout/append'>;

/** Where the lines went and the new end: the record without its key (the protocol's `RolloutAppendResult`). */
export type { RolloutAppendResult as AppendLinesResult } from '../../protocol/historyWrites.js';
import type { RolloutAppendResult as AppendLinesResult } from '../../protocol/historyWrites.js';

const resultOf = ({ idempotencyKey: _key, ...result }: AppendRecord): AppendLinesResult => result;

/**
 * Each line must be a rollout line the engine can fold (the domain codecs: envelope, then its
 * kind's payload) and carry the ordinal its place gives it: a paginated history's lines are
 * numbered densely (`ordinal` = expectedOrdinal + i, as Codex's readers rely on), a legacy one's
 * carry none. The first line that fails is named.
 */
const checkLines = (
  lines: ReadonlyArray<string>,
  expectedOrdinal: number,
  paginated: boolean,
): EngineError | undefined => {
  if (lines.length === 0) return invalidArgument('lines', 'an append needs at least one line');
  for (const [i, raw] of lines.entries()) {
    const field = `lines[${i}]`;
    if (raw.includes('\n') || raw.includes('\r'))
      return invalidArgument(field, 'a rollout line cannot hold a line break');
    const line = decodeRolloutLine(raw);
    if (E.isLeft(line)) return invalidArgument(field, line.left);
    const event = classifyRolloutLine(line.right);
    if (event.kind === 'invalid')
      return invalidArgument(field, `not a valid ${event.payloadType ?? event.type} line: ${event.reason}`);
    if (paginated && line.right.ordinal !== expectedOrdinal + i)
      return invalidArgument(
        field,
        `a paginated thread's line ${expectedOrdinal + i} must carry "ordinal": ${expectedOrdinal + i}, got ${String(line.right.ordinal)}`,
      );
    if (!paginated && line.right.ordinal !== undefined)
      return invalidArgument(field, 'a legacy thread\'s lines carry no "ordinal"');
  }
  return undefined;
};

/**
 * The file's own answer to "did this append already land?": its lines from `fromLine` on are
 * exactly `lines`. Then a retry that found no key (the process stopped between the write and the
 * key's record, or another process wrote the same batch) is the same append: the lines are not
 * written again. Read only when an append conflicts and its key is unknown.
 */
const landedAt = async (
  ports: MutationPorts,
  path: string,
  fromLine: number,
  lines: ReadonlyArray<string>,
): Promise<AppendResult | undefined> => {
  let first: LogPosition | undefined;
  let i = 0;
  for await (const entry of ports.files.linesBefore(path, undefined)) {
    if (entry.kind === 'failed') return stop(entry.error);
    if (entry.kind !== 'line' || entry.position.line < fromLine) continue;
    if (entry.line.raw !== lines[i]) return undefined;
    first ??= { ordinal: entry.position.line, byteOffset: entry.position.byteOffset };
    i += 1;
    if (i === lines.length)
      return {
        first,
        next: {
          ordinal: entry.position.line + 1,
          byteOffset: entry.position.byteOffset + entry.position.byteLength + 1,
        },
      };
  }
  return undefined;
};

/**
 * `rollout/append`: the engine's own write path. Refused while a running Codex has the thread
 * loaded (its writer lock, `CodexThreadState.refuseIfHeld`). Appends rollout lines to the thread's current
 * file through the locked writer (the expected end checked under the lock), indexes them before it
 * answers, and answers the new end.
 *
 * Ordinals are the thread's: a paginated history's `ordinal` (its lines' own numbering across its
 * files), a legacy file's line index. A caller whose `expectedOrdinal` is not the end gets
 * Conflict{expected, actual} and writes nothing.
 *
 * Idempotency: the key is recorded once the lines are written (`AppendKeys`, durable, with a
 * digest of the lines); a retry of a recorded key writes nothing and answers the first result. A
 * recorded key sent with other lines or another `expectedOrdinal` is refused (InvalidArgument, not
 * Conflict: no end to re-read would make it succeed). A crash between the write and the
 * record is covered by the rollout itself: a retry of an unknown key that conflicts, where the
 * lines from its `expectedOrdinal` on are byte for byte its own, is that same append landed — it
 * is answered (and its key recorded) instead of conflicting. Two different appends cannot both
 * claim a position: the second one's bytes differ, or are the very same lines.
 */
export const appendThreadLines = (
  ports: MutationPorts,
  req: AppendLinesRequest,
): TE.TaskEither<EngineError, AppendLinesResult> =>
  useCase(async () => {
    if (req.idempotencyKey === '') return stop(invalidArgument('idempotencyKey', 'must not be empty'));
    const known = await take(ports.appendKeys.find(req.idempotencyKey, req.lines));
    if (known !== undefined) {
      const { record } = known;
      if (record.threadId !== req.threadId)
        return stop(invalidArgument('idempotencyKey', `already used by an append to thread ${record.threadId}`));
      // A retry repeats its request; other lines (or another place) under the same key are another
      // append, which the key would silently swallow: refused, nothing written.
      if (known.sameLines === false || record.lines !== req.lines.length || record.firstOrdinal !== req.expectedOrdinal)
        return stop(
          invalidArgument(
            'idempotencyKey',
            `already used by an append of other lines (${record.lines} at ordinal ${record.firstOrdinal}); a retry sends the same lines, a new append a new key`,
          ),
        );
      return resultOf(record);
    }
    // Codex numbers its lines from its own counter: ours written beside a running Codex's would share ordinals with its next ones.
    await take(ports.codexState.refuseIfHeld(req.threadId));
    await take(ports.indexer.refreshThread(req.threadId));
    const lineage = await lineageToChange(ports.index, req.threadId);
    const paginated = lineage.mode === 'paginated';
    const invalid = checkLines(req.lines, req.expectedOrdinal, paginated);
    if (invalid !== undefined) return stop(invalid);
    const path = currentSegmentOf(lineage).rollout.path;
    const end = await historyEnd(ports.index, lineage);
    /** The thread's ordinal of a line of the current file. */
    const base = end.ordinal === null ? 0 : end.ordinal - end.line;
    const inThread = (p: LogPosition): LogPosition => ({ ordinal: base + p.ordinal, byteOffset: p.byteOffset });
    const expectedLine = req.expectedOrdinal - base;

    // Caught up below before it answers: lists meanwhile answer as the index stands, not behind a catch-up of their own.
    return writingFiles(ports, [path], async () => {
      let r: AppendResult | undefined;
      let actual: LogPosition | 'noStream' = { ordinal: end.line, byteOffset: end.byteOffset };
      if (req.expectedOrdinal === base + end.line) {
        const written = await ports.files.appendRaw(path, req.lines, {
          ordinal: end.line,
          byteOffset: end.byteOffset,
        })();
        if (E.isRight(written)) r = written.right;
        else if (written.left._tag === 'Conflict') actual = written.left.actual;
        else return stop(written.left);
      }
      // The end moved (another writer) or the caller expected another end: unless this very batch is already there, Conflict.
      r ??= expectedLine >= 0 ? await landedAt(ports, path, expectedLine, req.lines) : undefined;
      if (r === undefined)
        return stop(
          conflict(
            path,
            { ordinal: req.expectedOrdinal, byteOffset: end.byteOffset },
            actual === 'noStream' ? actual : inThread(actual),
          ),
        );
      const record: AppendRecord = {
        idempotencyKey: req.idempotencyKey,
        threadId: req.threadId,
        path,
        firstOrdinal: base + r.first.ordinal,
        lines: req.lines.length,
        ordinal: base + r.next.ordinal,
        byteOffset: r.next.byteOffset,
      };
      await take(ports.appendKeys.record(record, req.lines));
      await take(ports.indexer.catchUp([path]));
      return resultOf(record);
    });
  });

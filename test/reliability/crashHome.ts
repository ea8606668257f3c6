// The home the crash trials run on, and what the crash child acknowledges (shared by child and spec).
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { LineDraft } from '../../domain/rollout/lineDraft.js';
import { currentSegmentOf } from '../../domain/history/lineage.js';
import { historyEnd, lineageToChange } from '../../replay/internal/lineage.js';
import { take, useCase } from '../../domain/effect.js';
import type { MutationPorts } from '../../replay/ports.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';

export const CRASH_THREADS = {
  legacy: 'cccccccc-0000-7000-8000-00000000000a',
  paginated: 'cccccccc-0000-7000-8000-00000000000b',
} as const;

/** One durable mutation: the bytes it wrote, `[from, to)` of `path`, and their hash. */
export interface CrashAck {
  readonly op: string;
  readonly thread: string;
  readonly path: string;
  readonly from: number;
  readonly to: number;
  readonly sha256: string;
}

/**
 * The acknowledgement of bytes `[from, to)` of `path`, as they are now. A log's append that first
 * ended a fragment another writer left starts with that newline: it is not the line's.
 */
export const crashAck = (op: string, thread: string, path: string, from: number, to: number): CrashAck => {
  const fd = fs.openSync(path, 'r');
  try {
    const first = Buffer.alloc(1);
    if ((op === 'rename' || op === 'readState') && fs.readSync(fd, first, 0, 1, from) === 1 && first[0] === 0x0a)
      from += 1;
    const bytes = Buffer.alloc(to - from);
    fs.readSync(fd, bytes, 0, bytes.length, from);
    return { op, thread, path, from, to, sha256: createHash('sha256').update(bytes).digest('hex') };
  } finally {
    fs.closeSync(fd);
  }
};

/** A legacy and a paginated thread of three turns each. */
export const writeCrashHome = (home: string): void => {
  writeRollout(home, rolloutName(CRASH_THREADS.legacy), chatThread('legacy', CRASH_THREADS.legacy, 3).text());
  writeRollout(home, rolloutName(CRASH_THREADS.paginated), chatThread('paginated', CRASH_THREADS.paginated, 3).text());
};

/** A whole chat turn as drafts (the fixture writer's lines without their ordinals), for `RolloutFiles.append`. */
export const turnDrafts = (mode: 'legacy' | 'paginated', threadId: string, turnId: string): LineDraft[] =>
  new RolloutWriter(mode, threadId, { startMs: Date.now() })
    .chatTurn(turnId, `question ${turnId}`, `answer ${turnId}`)
    .text()
    .trimEnd()
    .split('\n')
    .map((l) => {
      const { timestamp, type, payload } = JSON.parse(l) as LineDraft;
      return { timestamp, type, payload };
    });

/** A chat turn appended to the thread's current file where the index says its history ends, as a turn's lines reach it (the child's appends, the spec's next writer). */
export const appendTurn = (ports: MutationPorts, threadId: string, turnId: string) =>
  useCase(async () => {
    await take(ports.indexer.refreshThread(threadId));
    const lineage = await lineageToChange(ports.index, threadId);
    const end = await historyEnd(ports.index, lineage);
    const path = currentSegmentOf(lineage).rollout.path;
    const r = await take(
      ports.files.append(
        path,
        turnDrafts(lineage.mode, threadId, turnId),
        { ordinal: end.line, byteOffset: end.byteOffset },
        lineage.mode,
      ),
    );
    await take(ports.indexer.catchUp([path]));
    return { path, from: r.first.byteOffset, to: r.next.byteOffset };
  });

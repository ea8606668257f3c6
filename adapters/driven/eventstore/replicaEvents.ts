import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { crashPoint } from '../system/crashPoint.js';
import { mkdirNoFollow } from '../fs/noFollow.js';
import { corrupt } from '../../../domain/errors.js';
import { supersededMarkOf } from '../jsonl/home/supersededMark.js';
import { sessionIndexLine } from '../jsonl/home/sessionIndex.js';
import { appendThreadStateEvent, writeSupersededMark } from '../jsonl/writers/homeFacts.js';
import { appendSessionIndexLine, forgetThreadNames } from '../jsonl/writers/sessionIndexWriter.js';
import { moveRolloutFile, removeRolloutFiles } from '../jsonl/writers/threadHomeFiles.js';
import { toEngineError } from '../fs/fsError.js';
import { ownMadeFolders } from '../fs/ownership.js';
import type { RecordedEvent } from './eventStoreClient.js';
import { HOME_CONTROL_STREAM, homeFactOf } from './homeControl.js';
import { isSealEvent, lineMetadataOf } from './lineEvents.js';
import { rolloutStreamOf } from './streamNames.js';
import type { Following } from './replicaCopy.js';
import { flush, pathOf, sizeOf } from './replicaCopy.js';

/** One event of the store applied to the replica's copy (homeReplica.ts): a home fact done, or a line queued. */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NL = Buffer.from('\n');

/** A fact of the home's control stream: a name, forgotten names, a thread-state event, a removal, a superseded mark, or where a stream's file is. */
export const applyFact = async (f: Following, event: RecordedEvent): Promise<void> => {
  const { home, state, options } = f;
  const fact = homeFactOf(event);
  if (E.isLeft(fact)) throw fact.left;
  const h = fact.right;
  if (h.kind === 'threadName') {
    // The copy's own folders may not be there yet (its rollout lines are written in batches).
    await fs
      .mkdir(home, { recursive: true, mode: 0o700 })
      .then((first) => ownMadeFolders(first, home))
      .catch((err: unknown) => Promise.reject(toEngineError(home, 'mkdir')(err)));
    const named = await appendSessionIndexLine(home, h.line ?? sessionIndexLine(h.threadId, h.name, new Date(h.at)), {
      once: true,
    })();
    if (E.isLeft(named)) throw named.left;
    return;
  }
  if (h.kind === 'namesForgotten') {
    const forgotten = await forgetThreadNames(home, h.threadId)();
    if (E.isLeft(forgotten)) throw forgotten.left;
    return;
  }
  if (h.kind === 'threadState') {
    // The event as a line of this node's own thread-state log, under its lock (a local change may run meanwhile).
    await appendThreadStateEvent(home, h.event);
    options.onThreadState?.();
    return;
  }
  if (h.kind === 'removed') {
    // Deleted (thread/delete): the copy's file and its mark go, and the stream is forgotten.
    await flush(f);
    const path = pathOf(f, state.files[h.stream] ?? h.file, h.stream);
    const removed = await removeRolloutFiles([path, supersededMarkOf(path)])();
    if (E.isLeft(removed)) throw removed.left;
    f.sizes.delete(path);
    delete state.files[h.stream];
    return;
  }
  if (h.kind === 'superseded') {
    const stream = rolloutStreamOf(h.file);
    if (stream === undefined)
      throw corrupt(HOME_CONTROL_STREAM, event.revision, `a superseded mark names ${JSON.stringify(h.file)}`);
    const file = pathOf(f, h.file, stream);
    await mkdirNoFollow(home, nodePath.dirname(file), 0o700);
    await writeSupersededMark(home, file, h.revision);
    return;
  }
  const was = state.files[h.stream];
  if (was === undefined || was === h.file) {
    state.files[h.stream] = h.file;
    return;
  }
  // The file moved (archived, unarchived): the copy moves with it.
  await flush(f);
  const from = pathOf(f, was, h.stream);
  const to = pathOf(f, h.file, h.stream);
  crashPoint('follow.move.before');
  const moved = await moveRolloutFile(home, from, to)();
  if (E.isLeft(moved)) throw moved.left;
  crashPoint('follow.move.after');
  f.sizes.delete(from);
  state.files[h.stream] = h.file;
};

/** A rollout line (or a part of one): queued for its file once whole, skipped when the copy has it already. */
export const applyLine = async (f: Following, event: RecordedEvent): Promise<void> => {
  const { state, summary } = f;
  // A revision's seal is not a line; its base's mark comes with the superseded fact.
  if (isSealEvent(event)) return;
  const decoded = lineMetadataOf(event);
  if (E.isLeft(decoded)) throw decoded.left;
  const meta = decoded.right;
  if (
    meta.ordinal === 0 &&
    (meta.part ?? 0) === 0 &&
    meta.file !== undefined &&
    state.files[event.stream] === undefined
  )
    state.files[event.stream] = meta.file;
  const file = state.files[event.stream];
  if (file === undefined)
    throw corrupt(
      event.stream,
      meta.byteOffset,
      `event ${event.revision} comes before the stream's first line says where its file is`,
    );
  const path = pathOf(f, file, event.stream);
  const size = (await sizeOf(f, path)) + (f.pendingBytes.get(path) ?? 0);
  const lineStart = meta.bom === true ? 0 : meta.byteOffset;
  if (lineStart < size) {
    summary.skipped += 1;
    return;
  }
  if (lineStart !== size)
    throw corrupt(
      path,
      meta.byteOffset,
      `event ${event.revision} of ${event.stream} starts at byte ${meta.byteOffset}, the copy ends at ${size}`,
    );
  const held = f.parts.get(event.stream) ?? [];
  held.push(Buffer.from(event.data));
  if ((meta.part ?? 0) < (meta.parts ?? 1) - 1) {
    f.parts.set(event.stream, held);
    return;
  }
  f.parts.delete(event.stream);
  const bytes = held.length === 1 ? held[0]! : Buffer.concat(held);
  if (bytes.length !== meta.byteLength)
    throw corrupt(
      event.stream,
      meta.byteOffset,
      `line ${meta.ordinal} has ${bytes.length} bytes, its metadata says ${meta.byteLength}`,
    );
  const out = f.pending.get(path) ?? [];
  if (meta.bom === true) out.push(BOM);
  out.push(bytes, NL);
  f.pending.set(path, out);
  f.pendingBytes.set(path, (f.pendingBytes.get(path) ?? 0) + (meta.bom === true ? BOM.length : 0) + bytes.length + 1);
  summary.lines += 1;
  summary.bytes += bytes.length + 1;
};

import * as nodePath from 'node:path';
import type { RolloutFile } from '../../../../domain/rollout/rolloutFile.js';

/**
 * A rollout file name: `rollout-<YYYY-MM-DDThh-mm-ss>-<threadId>[_<revisionId>].jsonl`.
 * The time is the writer's local time with `-` for `:` (read here as if UTC, as Codex reads it); a
 * revision file carries the revert time and the base thread id.
 */
export interface RolloutFileName extends Pick<RolloutFile, 'fileTimestamp' | 'threadId'> {
  /** A revision file's revision id; undefined for any other file. */
  readonly revisionId: string | undefined;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const NAME = new RegExp(`^rollout-(\\d{4}-\\d{2}-\\d{2})T(\\d{2})-(\\d{2})-(\\d{2})-(${UUID})(?:_(${UUID}))?\\.jsonl$`);

/** Parse a base name; `undefined` for anything that is not a rollout file (locks, temp files, …). */
export const parseRolloutFileName = (baseName: string): RolloutFileName | undefined => {
  const m = NAME.exec(baseName);
  if (m === null) return undefined;
  const [, date, hh, mm, ss, threadId, revisionId] = m;
  return {
    // Joined, one flat string: a template of short pieces is a tree of them, which a listing of a large home holds per file.
    fileTimestamp: [date, 'T', hh, ':', mm, ':', ss, 'Z'].join(''),
    threadId: threadId as string,
    revisionId,
  };
};

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * The file name Codex gives a thread started (or a revision written) at `at`:
 * `rollout-YYYY-MM-DDThh-mm-ss-<threadId>[_<revisionId>].jsonl`, in this process's local time, as
 * Codex names it (codex-rs/rollout/src/recorder.rs, `precompute_new_rollout_path`:
 * `OffsetDateTime::now_local()`); its file scan orders threads by that time read as UTC.
 */
export const formatRolloutFileName = (at: Date, threadId: string, revisionId?: string): string => {
  const date = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  const time = `${two(at.getHours())}-${two(at.getMinutes())}-${two(at.getSeconds())}`;
  return `rollout-${date}T${time}-${threadId}${revisionId === undefined ? '' : `_${revisionId}`}.jsonl`;
};

/** The day folder under `sessions/` for `at`: `YYYY/MM/DD`, in local time as the file name (Codex's `precompute_new_rollout_path`). */
export const sessionDayParts = (at: Date): [string, string, string] => [
  String(at.getFullYear()),
  two(at.getMonth() + 1),
  two(at.getDate()),
];

/** A rollout name's day folder under `sessions/`: `YYYY/MM/DD` from the time in its name (Codex's unarchive puts it back there). */
export const dayFolderOf = (home: string, path: string): string | undefined => {
  const name = parseRolloutFileName(nodePath.basename(path));
  if (name === undefined) return undefined;
  const [y, m, d] = name.fileTimestamp.slice(0, 10).split('-');
  return nodePath.join(home, 'sessions', y!, m!, d!);
};

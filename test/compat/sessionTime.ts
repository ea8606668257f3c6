// A thread's session time set on purpose, as Codex itself would have written it: the session_meta
// line's `timestamp` and its payload's, and the rollout file name's time, which Codex writes from
// one clock reading (`codex-rs/rollout/src/recorder.rs`, `precompute_new_rollout_path`). Used where
// a compat home must hold threads of one second whatever the clock did while it was recorded.
import { mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const SECOND = 1000;

/** A rollout file name's time, read as if UTC (Codex writes local time; only differences are used). */
const nameMs = (name: string): number => Date.parse(`${name.slice(8, 18)}T${name.slice(19, 27).replace(/-/g, ':')}Z`);

/** The session time of a rollout with an envelope: its session_meta payload's `timestamp`, in ms. */
export const sessionTimeMs = (path: string): number => {
  const meta = JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as { payload: { timestamp: string } };
  return Date.parse(meta.payload.timestamp);
};

/**
 * Sets the session time of the rollout at `path` to `atMs`: the session_meta line's and payload's
 * `timestamp`, and the file name, moved by as many seconds as the session time did (in the name's
 * own time zone) into the day folder the new name names. The file's mtime is kept: Codex's backfill
 * takes `updated_at` from it (`extract_metadata_from_rollout`), and this edit is no write of the
 * session. Returns the new path.
 */
export function setSessionTime(path: string, atMs: number): string {
  const lines = readFileSync(path, 'utf8').split('\n');
  const meta = JSON.parse(lines[0]!) as { timestamp: string; payload: { timestamp: string } };
  const was = Math.floor(Date.parse(meta.payload.timestamp) / SECOND) * SECOND;
  const at = new Date(atMs).toISOString();
  meta.timestamp = at;
  meta.payload.timestamp = at;
  const { atime, mtime } = statSync(path);
  writeFileSync(path, [JSON.stringify(meta), ...lines.slice(1)].join('\n'));
  utimesSync(path, atime, mtime);
  return shiftFileNameTime(path, Math.floor(atMs / SECOND) * SECOND - was);
}

/**
 * Moves the rollout at `path` to the name (and day folder) of a time `byMs` from its name's, its
 * lines and mtime kept: a session whose writer's local time was that far from UTC (Codex names a
 * file in local time: `codex-rs/rollout/src/recorder.rs`, `precompute_new_rollout_path`). Returns
 * the new path.
 */
export function shiftFileNameTime(path: string, byMs: number): string {
  const name = basename(path);
  const moved = new Date(nameMs(name) + byMs).toISOString();
  const renamed = `rollout-${moved.slice(0, 10)}T${moved.slice(11, 19).replace(/:/g, '-')}${name.slice(27)}`;
  // sessions/YYYY/MM/DD/<name>: the day folder is the name's date.
  const dayDir = join(dirname(path), '..', '..', '..', moved.slice(0, 4), moved.slice(5, 7), moved.slice(8, 10));
  mkdirSync(dayDir, { recursive: true });
  const target = join(dayDir, renamed);
  renameSync(path, target);
  return target;
}

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import { right } from '../fixtures/right.js';

/** Every file under `dir` (relative path → bytes), the index folder left out. */
export const filesOf = (dir: string): Map<string, Buffer> => {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = nodePath.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.rollout-engine') walk(p);
      } else if (e.name.startsWith('rollout-')) out.set(nodePath.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
};

/**
 * Gives each rollout file of `to` the time of its counterpart in `from` (to the ms, set on both),
 * as a copy that keeps times (`cp -p`) does. An event store keeps no file times, so a copy made from it has its own;
 * the index is a function of the files' bytes and their mtimes (a thread no Codex state DB row
 * holds is dated by its file's mtime, as Codex's backfill dates it: issue 69).
 */
export const keepTimesOf = (from: string, to: string): void => {
  for (const rel of filesOf(from).keys()) {
    // Set on both, from one Date: a time set through a Date reads back a hair below its ms (float seconds).
    const at = new Date(Math.floor(fs.statSync(nodePath.join(from, rel)).mtimeMs));
    for (const dir of [from, to]) fs.utimesSync(nodePath.join(dir, rel), at, at);
  }
};

/**
 * The index a home's files give, every row, with the home's path written as `<home>`. The
 * checkpoints' file times are the local copy's (an export writes new files), not the log's: left out.
 */
export const indexDump = async (home: string, indexDir: string): Promise<string> => {
  const store = right(await openIndex(indexDir, home)()).store;
  try {
    right(await catchUpHome(store, home)());
    const rows = right(await store.dump()()).map((r) =>
      r.table === 'files' ? { ...r, value: { ...(r.value as object), mtimeMs: 0, ctimeMs: 0 } } : r,
    );
    return JSON.stringify(rows).split(home).join('<home>');
  } finally {
    right(await store.close()());
  }
};

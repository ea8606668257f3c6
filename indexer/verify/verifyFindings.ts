import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { writeFileAtomic } from '../../adapters/driven/fs/writeFileAtomic.js';
import { mkdirNoFollow } from '../../adapters/driven/fs/noFollow.js';
import { readTextNoFollow } from '../../adapters/driven/fs/heldRead.js';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import { errnoCode, toEngineError } from '../../adapters/driven/fs/fsError.js';
import { parseJson } from '../../domain/jsonNesting.js';

/**
 * What the last `verify` found to differ, kept beside the index (`verify.json`) for `repair`:
 * checking a file against a fresh fold costs more than indexing it again, so a repair re-indexes
 * what a verify already found rather than verifying again. The findings hold only while the index
 * is as it was verified (`indexState`: see `indexStateOf`); repair compares it with the index's
 * before using them, and a rebuild drops them. Read back through an io-ts codec.
 */
export const VerifyFindings = t.type({
  version: t.literal(1),
  home: t.string,
  indexState: t.string,
  verifiedAt: t.string,
  /** Rollouts with rows that differ (or that no file gives), files whose checkpoints differ, thread rows that differ. */
  rollouts: t.array(t.string),
  paths: t.array(t.string),
  threads: t.array(t.string),
});
export type VerifyFindings = t.TypeOf<typeof VerifyFindings>;

export const VERIFY_FINDINGS_FILE = 'verify.json';

/**
 * The index's state: its write mark (the last write transaction of this very environment) and a
 * digest of every checkpoint (which any catch-up moves), for stores without a mark.
 */
export const indexStateOf = (store: IndexStore): TE.TaskEither<EngineError, string> =>
  useCase(async () => {
    const mark = store.writeMark === undefined ? '' : await take(store.writeMark());
    const cps = await take(store.range('files', []));
    const h = createHash('sha256').update(mark).update('\n');
    for (const c of cps) h.update(JSON.stringify([c.key, c.value])).update('\n');
    return h.digest('hex');
  });

/** Keep `findings` in the index dir (temp file + rename: a reader sees the old file or the new one). */
export const saveVerifyFindings = (dir: string, findings: VerifyFindings): TE.TaskEither<EngineError, void> => {
  const file = nodePath.join(dir, VERIFY_FINDINGS_FILE);
  return TE.tryCatch(
    async () => {
      await mkdirNoFollow(dir, dir, 0o700);
      // Private like the index it describes (its paths and thread ids), whatever the umask.
      await writeFileAtomic(file, JSON.stringify(findings), { mode: 0o600 });
    },
    toEngineError(file, 'write'),
  );
};

/** The findings kept in the index dir; undefined when there are none, or none this version can read (a repair then rebuilds). */
export const loadVerifyFindings = (dir: string): TE.TaskEither<EngineError, VerifyFindings | undefined> => {
  const file = nodePath.join(dir, VERIFY_FINDINGS_FILE);
  return TE.tryCatch(
    async () => {
      let text: string;
      try {
        text = await readTextNoFollow(dir, file);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return undefined;
        throw err;
      }
      let json: unknown;
      try {
        json = parseJson(text);
      } catch {
        return undefined;
      }
      const d = VerifyFindings.decode(json);
      return E.isRight(d) ? d.right : undefined;
    },
    toEngineError(file, 'read'),
  );
};

/** Forget the findings (after a repair the index is no longer the one they describe). */
export const dropVerifyFindings = (dir: string): TE.TaskEither<EngineError, void> => {
  const file = nodePath.join(dir, VERIFY_FINDINGS_FILE);
  return TE.tryCatch(() => fs.rm(file, { force: true }), toEngineError(file, 'remove'));
};

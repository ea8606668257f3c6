import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { errnoCode, toEngineError } from '../../driven/fs/fsError.js';
import { ownLikeFolderSync } from '../../driven/fs/ownership.js';

/**
 * What makes a folder a Codex home: any one of Codex's own entries in it. Codex writes its
 * rollouts under `sessions/` (made at the first session), moves archived ones to
 * `archived_sessions/`, names threads in `session_index.jsonl`; a home that has not run a
 * session yet holds its `config.toml` (written by the user or `codex` itself), `auth.json`
 * (`codex login`) or `history.jsonl` (the prompt history).
 */
export const CODEX_HOME_ENTRIES = [
  'sessions/',
  'archived_sessions/',
  'session_index.jsonl',
  'config.toml',
  'auth.json',
  'history.jsonl',
] as const;

/** The engine's own folder in a home (its index): not a sign of a Codex home, and not something that makes a folder non-empty for `--new-home`. */
const ENGINE_FOLDER = '.rollout-engine';

const entryName = (entry: string): string => entry.replace(/\/$/, '');

const hasHomeEntry = (names: ReadonlySet<string>): boolean => CODEX_HOME_ENTRIES.some((e) => names.has(entryName(e)));

/** Codex's folders inside a home, and how deep its rollouts' day folders go below them (`sessions/YYYY/MM/DD`). */
const HOME_FOLDERS = new Set(['sessions', 'archived_sessions']);
const DAY_FOLDER_DEPTH = 3;

/**
 * The home `dir` lies in by Codex's layout (`<home>/sessions[/YYYY/MM/DD]`, `<home>/archived_sessions`),
 * told from its path alone: nothing outside the folder the user gave is read.
 */
const homeByLayout = (dir: string): string | undefined => {
  const parts = nodePath.resolve(dir).split(nodePath.sep);
  for (let below = 0; below <= DAY_FOLDER_DEPTH && below < parts.length - 1; below++) {
    const at = parts.length - 1 - below;
    if (!HOME_FOLDERS.has(parts[at]!)) continue;
    if (!parts.slice(at + 1).every((p) => /^\d+$/.test(p))) return undefined;
    return parts.slice(0, at).join(nodePath.sep) || nodePath.sep;
  }
  return undefined;
};

const EXPECTED = `a Codex home holds at least one of ${CODEX_HOME_ENTRIES.join(', ')}`;

/** Make `codexHome` a new, empty Codex home: the folder (its parent must exist) and its `sessions/`, as Codex makes them at its first session. */
const startHome = (codexHome: string, exists: boolean): E.Either<EngineError, void> => {
  try {
    if (!exists) {
      fs.mkdirSync(codexHome, { mode: 0o700 });
      ownLikeFolderSync(codexHome, 'folder');
    }
    fs.mkdirSync(nodePath.join(codexHome, 'sessions'), { mode: 0o700 });
    ownLikeFolderSync(nodePath.join(codexHome, 'sessions'), 'folder');
    return E.right(undefined);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT')
      return E.left(
        invalidArgument('CODEX_HOME', `cannot make a new home at ${codexHome}: its parent folder does not exist`),
      );
    return E.left(toEngineError(codexHome, 'create CODEX_HOME')(err));
  }
};

/**
 * Whether `codexHome` is a Codex home the engine may read and index, checked before anything is
 * created in it or for it (its index folder, a cache folder): a folder with none of Codex's
 * entries (`CODEX_HOME_ENTRIES`) — `~/.codex/sessions` itself, `/etc`, an empty folder — is
 * refused (InvalidArgument, naming what a home holds and, for a folder of Codex's layout inside
 * a home, that home, told from the path). `newHome` (`--new-home`) asks for a new home: an empty folder, or one not there yet whose
 * parent is, becomes one (its `sessions/` made); a folder with other things in it is still refused.
 * A home that is not there (without `newHome`) or not a folder is left to opening it, which says
 * so (NotFound, InvalidArgument) and creates nothing.
 */
export const checkCodexHome = (codexHome: string, newHome: boolean): E.Either<EngineError, void> => {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(codexHome);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' && newHome) return startHome(codexHome, false);
    if (code === 'ENOENT' || code === 'ENOTDIR') return E.right(undefined);
    return E.left(toEngineError(codexHome, 'open CODEX_HOME')(err));
  }
  if (!stat.isDirectory()) return E.right(undefined);
  let names: ReadonlySet<string>;
  try {
    names = new Set(fs.readdirSync(codexHome));
  } catch (err) {
    return E.left(toEngineError(codexHome, 'list CODEX_HOME')(err));
  }
  if (hasHomeEntry(names)) return E.right(undefined);
  const empty = [...names].every((n) => n === ENGINE_FOLDER);
  if (empty && newHome) return startHome(codexHome, true);
  const layoutHome = homeByLayout(codexHome);
  const meant = layoutHome === undefined ? '' : `; Codex keeps this folder inside its home: --codex-home ${layoutHome}`;
  if (empty)
    return E.left(
      invalidArgument(
        'CODEX_HOME',
        `${codexHome} is an empty folder, not a Codex home (${EXPECTED})${meant}; give --new-home to start a new home there`,
      ),
    );
  return E.left(
    invalidArgument(
      'CODEX_HOME',
      `${codexHome} is not a Codex home: it holds none of ${CODEX_HOME_ENTRIES.join(', ')}${meant}` +
        (newHome ? '; --new-home starts a new home only in an empty folder' : ''),
    ),
  );
};

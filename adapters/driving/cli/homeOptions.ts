import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { decide, takeNow } from '../../../domain/effect.js';
import { checkCodexHome } from '../composition/codexHomeCheck.js';
import { locateIndexDir, resolveCodexHome } from '../composition/layout.js';
import { reportError } from './exitCodes.js';
import { option } from './optionTable.js';
import { CODEX_VERSIONS, NEWEST_CODEX_VERSION } from '../../../protocol/codexVersions.js';
import { terminalLines } from './terminalText.js';
import type { JsonOutput } from './printAnswer.js';

/** The options every command that works on a home takes (and how it prints, `JsonOutput`). */
export interface HomeOptions extends JsonOutput {
  readonly codexHome?: string;
  readonly indexDir?: string;
  readonly newHome?: boolean;
}

/** `--codex-home`, `--new-home` and `--index-dir`, declared once for every command that works on a home (a table to spread into a command's own). */
export const HOME_OPTIONS = {
  codexHome: option(
    '--codex-home <dir>',
    'CODEX_HOME (default: $CODEX_HOME, then ~/.codex); a folder that is not a Codex home is refused',
  ),
  newHome: option(
    '--new-home',
    'the home is new: an empty folder (or one not there yet, in an existing folder) becomes a Codex home, its sessions/ made',
  ),
  indexDir: option(
    '--index-dir <dir>',
    'index folder (default: <codex-home>/.rollout-engine/, or ~/.cache/rollout-engine/<hash>/ when this user cannot write the home)',
  ),
};

/** `--json`, for the commands that print an answer. */
export const JSON_OPTION = {
  json: option('--json', 'print the answer as JSON (for a history method: exactly its JSON-RPC result)'),
};

/** Both: what most commands end their table with. */
export const HOME_AND_JSON_OPTIONS = { ...HOME_OPTIONS, ...JSON_OPTION };

/**
 * `--codex-version`, for a view of a method: the Codex version whose method, params and result the
 * command speaks, as `serve --codex-version` speaks it (`commandSpec.ts` applies it).
 */
export const CODEX_VERSION_OPTION = {
  codexVersion: option(
    '--codex-version <version>',
    `the Codex version whose answer --json prints (${CODEX_VERSIONS.join(', ')}; default $ROLLOUT_ENGINE_CODEX_VERSION, else ${NEWEST_CODEX_VERSION})`,
  ),
};

/** What a view of a method ends its table with: the home, `--json`, and the Codex version it speaks. */
export const METHOD_VIEW_OPTIONS = { ...HOME_AND_JSON_OPTIONS, ...CODEX_VERSION_OPTION };

/** A home the options name, checked, and where its index goes. */
export interface NamedHome {
  readonly codexHome: string;
  readonly indexDir: string;
}

/**
 * The home and index dir the options name. A folder that is not a Codex home is refused before
 * anything is created for it (`checkCodexHome`; `--new-home` makes an empty one a home; a `replica`,
 * `serve --eventstore`'s copy of the log, is not checked). When the
 * home's own index folder is not writable by this user (someone else's home, read-only), the index
 * goes to the user's cache: one line on stderr says where.
 */
export const homeOf = (opts: HomeOptions, kind: 'codex' | 'replica' = 'codex'): E.Either<EngineError, NamedHome> =>
  decide(() => {
    const codexHome = resolveCodexHome(opts.codexHome);
    // A replica (`serve --eventstore`) is this node's own copy of the log, made by the engine: no Codex home to recognise.
    if (kind !== 'replica') takeNow(checkCodexHome(codexHome, opts.newHome === true));
    const place = locateIndexDir(codexHome, opts.indexDir);
    if (place.unwritable !== undefined)
      process.stderr.write(
        `${terminalLines(`rollout-engine: ${place.unwritable} is not writable by this user; indexing ${codexHome} into ${place.indexDir}`)}\n`,
      );
    return { codexHome, indexDir: place.indexDir };
  });

/** Go on with the home the options name, or say why it was refused (as `--json` asks) and exit 2. */
export const withHome = async (opts: HomeOptions, then: (home: NamedHome) => Promise<void>): Promise<void> => {
  const named = homeOf(opts);
  if (E.isLeft(named)) return reportError(named.left, opts.json);
  await then(named.right);
};

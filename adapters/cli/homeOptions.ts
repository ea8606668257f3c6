import { locateIndexDir, resolveCodexHome } from '../composition/layout.js';
import { option } from './optionTable.js';

/** The options every command that works on a home takes. */
export interface HomeOptions {
  readonly codexHome?: string;
  readonly indexDir?: string;
  readonly json?: boolean;
}

/** `--codex-home` and `--index-dir`, declared once for every command that works on a home (a table to spread into a command's own). */
export const HOME_OPTIONS = {
  codexHome: option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME, then ~/.codex)'),
  indexDir: option('--index-dir <dir>', 'index folder (default: <codex-home>/.rollout-engine/, or ~/.cache/rollout-engine/<hash>/ when this user cannot write the home)'),
};

/** `--json`, for the commands that print an answer. */
export const JSON_OPTION = { json: option('--json', 'print the answer as JSON (for a history method: exactly its JSON-RPC result)') };

/** Both: what most commands end their table with. */
export const HOME_AND_JSON_OPTIONS = { ...HOME_OPTIONS, ...JSON_OPTION };

/**
 * The home and index dir the options name. When the home's own index folder is not writable by
 * this user (someone else's home, read-only), the index goes to the user's cache: one line on
 * stderr says where.
 */
export const homeOf = (opts: HomeOptions): { readonly codexHome: string; readonly indexDir: string } => {
  const codexHome = resolveCodexHome(opts.codexHome);
  const place = locateIndexDir(codexHome, opts.indexDir);
  if (place.unwritable !== undefined)
    process.stderr.write(`rollout-engine: ${place.unwritable} is not writable by this user; indexing ${codexHome} into ${place.indexDir}\n`);
  return { codexHome, indexDir: place.indexDir };
};

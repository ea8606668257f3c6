import { lstatSync } from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { parseTomlText as parseToml } from './tomlText.js';
import type { EngineError } from '../../../domain/errors.js';
import { decodeError } from '../../../domain/errors.js';
import { errnoCode, toEngineError } from './fsError.js';
import { readTextNoFollow } from './heldRead.js';

/** Codex's provider when its config names none. */
export const DEFAULT_MODEL_PROVIDER = 'openai';

/** The top-level keys of a home's `config.toml` (its tables too, as parsed); none when the file is absent. */
export type CodexConfig = Readonly<Record<string, unknown>>;

/**
 * The home's `config.toml`, parsed (smol-toml), read without following a link (nothing outside the
 * home is read whatever it holds); `{}` when there is none. Not TOML: a decode error naming the file
 * (Codex itself does not start on such a config).
 */
export const readCodexConfig = async (codexHome: string): Promise<E.Either<EngineError, CodexConfig>> => {
  const path = nodePath.join(codexHome, 'config.toml');
  let text: string;
  try {
    text = await readTextNoFollow(codexHome, path);
  } catch (err) {
    return errnoCode(err) === 'ENOENT' ? E.right({}) : E.left(toEngineError(path, 'read config.toml')(err));
  }
  try {
    return E.right(parseToml(text) as CodexConfig);
  } catch (err) {
    return E.left(decodeError(path, 0, 0, `config.toml is not TOML: ${(err as Error).message}`));
  }
};

/**
 * The model provider a config selects: its top-level `model_provider`, else Codex's default. A
 * config with the legacy `profile = "x"` selector is one Codex 0.169 refuses (codex-rs
 * core/src/config/mod.rs: "legacy `profile` config is no longer supported"), and its app-server
 * then runs on the defaults: Codex's default provider (measured: test/compat/listProviders.compat.spec.ts).
 * A `[profiles.x]` table alone selects nothing. Codex records the provider in the threads it
 * creates, and answers it for a thread whose meta names none (codex-rs
 * `app-server/src/request_processors/thread_processor.rs` `thread_from_stored_thread`: an empty
 * provider becomes `config.model_provider_id`).
 */
export const configuredModelProvider = (config: CodexConfig): string => {
  if (config['profile'] !== undefined) return DEFAULT_MODEL_PROVIDER;
  const provider = config['model_provider'];
  return typeof provider === 'string' ? provider : DEFAULT_MODEL_PROVIDER;
};

/**
 * The provider the home's `config.toml` selects (none: Codex's default). A config refused (a link,
 * a FIFO or device: `LinkRefused`, code ELOOP) is not read, and not fatal for the home: Codex's
 * default, as without a config. An unreadable or malformed config is the error.
 */
export const readConfiguredModelProvider = async (codexHome: string): Promise<E.Either<EngineError, string>> => {
  const path = nodePath.join(codexHome, 'config.toml');
  // Taken before the read: a config changed while it is read is read again next time.
  const stamp = statStampOf(path);
  if (stamp === 'absent') return E.right(DEFAULT_MODEL_PROVIDER);
  const known = providerRead.get(path);
  if (stamp !== undefined && known?.stamp === stamp) return E.right(known.provider);
  const config = await readCodexConfig(codexHome);
  if (E.isLeft(config) && config.left._tag === 'Io' && config.left.code === 'ELOOP')
    return E.right(DEFAULT_MODEL_PROVIDER);
  const provider = E.map(configuredModelProvider)(config);
  if (stamp !== undefined && E.isRight(provider)) providerRead.set(path, { stamp, provider: provider.right });
  return provider;
};

/**
 * A regular file's device, inode, size, mtime and ctime (not following a link); `'absent'` for
 * nothing there (Codex's default, as readCodexConfig's ENOENT), undefined for anything else:
 * equal, the file holds what it held (a rewrite in place moves the times, a replacement the inode).
 */
const statStampOf = (path: string): string | undefined => {
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) return 'absent';
    return st.isFile() ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : undefined;
  } catch {
    return undefined;
  }
};

/** The provider each home's config.toml selected when last read, by its file's stamp: every thread/list asks it. */
const providerRead = new Map<string, { readonly stamp: string; readonly provider: string }>();

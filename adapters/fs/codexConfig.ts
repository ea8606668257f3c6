import * as nodePath from 'node:path';
import { errnoCode } from './fsError.js';
import { readTextNoFollow } from './noFollow.js';

/** Codex's provider when its config names none. */
export const DEFAULT_MODEL_PROVIDER = 'openai';

/**
 * The model provider a `config.toml` selects (its top-level `model_provider`), else Codex's
 * default. Only that one key is read. Codex records it in the threads it creates, and answers it
 * for a thread whose meta names none (codex-rs `app-server/src/request_processors/thread_processor.rs`
 * `thread_from_stored_thread`: an empty provider becomes `config.model_provider_id`).
 */
export const modelProviderOfConfig = (text: string | undefined): string => {
  if (text === undefined) return DEFAULT_MODEL_PROVIDER;
  const topLevel = text.split(/^\s*\[/m)[0] ?? '';
  const m = /^\s*model_provider\s*=\s*"([^"\\]*)"\s*(?:#.*)?$/m.exec(topLevel);
  return m?.[1] ?? DEFAULT_MODEL_PROVIDER;
};

/** The provider the home's `config.toml` selects (read without following a link; none: Codex's default). */
export const readConfiguredModelProvider = async (codexHome: string): Promise<string> => {
  const text = await readTextNoFollow(codexHome, nodePath.join(codexHome, 'config.toml')).catch((err: unknown) =>
    errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err),
  );
  return modelProviderOfConfig(text);
};

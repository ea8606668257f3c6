import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** The Codex version whose behaviour the engine reproduces, recorded as `cli_version` in the threads it creates. */
export const CODEX_CLI_VERSION = '0.169.0';

/** Codex's provider when its config names none. */
export const DEFAULT_MODEL_PROVIDER = 'openai';

/**
 * The model provider a home's `config.toml` selects (its top-level `model_provider`), which Codex
 * records in the threads it creates; Codex's default without one. Only that one key is read.
 */
export const configuredModelProvider = (codexHome: string): string => {
  let text: string;
  try {
    text = fs.readFileSync(nodePath.join(codexHome, 'config.toml'), 'utf8');
  } catch {
    return DEFAULT_MODEL_PROVIDER;
  }
  const topLevel = text.split(/^\s*\[/m)[0] ?? '';
  const m = /^\s*model_provider\s*=\s*"([^"\\]*)"\s*(?:#.*)?$/m.exec(topLevel);
  return m?.[1] ?? DEFAULT_MODEL_PROVIDER;
};

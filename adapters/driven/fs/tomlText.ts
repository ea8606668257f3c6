import { parse } from 'smol-toml';
import { SERDE_MAX_DEPTH } from '../../../domain/jsonNesting.js';

/**
 * A TOML text of the home (config.toml, read by the home, the plugin catalog and its edits) parsed
 * under the one nesting bound every JSON text has (domain/jsonNesting.ts), not smol-toml's default
 * of 1,000 levels. Codex reads config.toml with the `toml` crate, whose parser (toml_edit) has a
 * recursion limit of its own. Throws like `parse`.
 */
export const parseTomlText = (text: string): Record<string, unknown> => parse(text, { maxDepth: SERDE_MAX_DEPTH });

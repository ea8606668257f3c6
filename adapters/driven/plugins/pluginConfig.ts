import * as nodePath from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { parseTomlText as parseToml } from '../fs/tomlText.js';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import type { PluginConfig } from '../../../domain/plugins/ports.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';

/** config.toml holds credentials-adjacent settings: Codex keeps it 0600. */
const CONFIG_MODE = 0o600;

const headerOf = (key: string) => `[plugins.${JSON.stringify(key)}]`;
const isHeader = (line: string) => /^\s*\[/.test(line);
const isTableOf = (line: string, key: string) =>
  line.replace(/\s+/g, '').replace(/#.*$/, '') === headerOf(key).replace(/\s+/g, '');

/** The line range [start, end) of the plugin's table, or null. */
const tableRange = (lines: ReadonlyArray<string>, key: string): [number, number] | null => {
  const start = lines.findIndex((l) => isTableOf(l, key));
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && !isHeader(lines[end]!)) end++;
  return [start, end];
};

/** The text with the plugin's `enabled` set, edited in place as Codex's toml_edit does (a new table goes at the end, after a blank line). */
export const withPluginEnabled = (text: string, key: string, enabled: boolean): string => {
  const lines = text.split('\n');
  const range = tableRange(lines, key);
  if (range === null) {
    const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    return `${body}${body === '' ? '' : '\n'}${headerOf(key)}\nenabled = ${String(enabled)}\n`;
  }
  const [start, end] = range;
  const at = lines.slice(start + 1, end).findIndex((l) => /^\s*enabled\s*=/.test(l));
  if (at >= 0) lines[start + 1 + at] = `enabled = ${String(enabled)}`;
  else lines.splice(start + 1, 0, `enabled = ${String(enabled)}`);
  return lines.join('\n');
};

/** The text without the plugin's table (and the blank line that set it off). */
export const withoutPlugin = (text: string, key: string): string => {
  const lines = text.split('\n');
  const range = tableRange(lines, key);
  if (range === null) return text;
  let [start, end] = range;
  // The blank lines before the next table (or the file's last newline) stay; the one before this table goes with it.
  while (end > start + 1 && lines[end - 1]!.trim() === '') end--;
  if (start > 0 && lines[start - 1]!.trim() === '') start--;
  lines.splice(start, end - start);
  return lines.join('\n');
};

const enabledIn = (text: string, key: string): unknown => {
  const plugins = (parseToml(text) as { plugins?: Record<string, { enabled?: unknown }> }).plugins;
  return plugins?.[key]?.enabled;
};

/** The `[plugins."…"]` tables of `<home>/config.toml`, each edit checked by parsing the result, written atomically (0600). */
export const diskPluginConfig = (codexHome: string): PluginConfig => {
  const path = nodePath.join(codexHome, 'config.toml');
  const read = async (): Promise<string> => {
    try {
      // Without following a link; a FIFO or device there is refused (`LinkRefused`), never waited on.
      return await readTextNoFollow(codexHome, path);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return '';
      throw err;
    }
  };
  const edit = (
    change: (text: string) => string,
    expected: (text: string) => boolean,
  ): TE.TaskEither<EngineError, void> =>
    useCase(async () => {
      const kept = await take(
        TE.tryCatch(
          async () => {
            const before = await read();
            const after = change(before);
            if (after === before) return true;
            if (!expected(after)) return false;
            await writeFileAtomic(path, after, { mode: CONFIG_MODE });
            return true;
          },
          toEngineError(path, 'edit config.toml'),
        ),
      );
      if (!kept) stop(corrupt(path, 0, 'config.toml is not TOML this edit can keep valid; left unchanged'));
    });
  const parses = (text: string) => {
    try {
      parseToml(text);
      return true;
    } catch {
      return false;
    }
  };
  return {
    setEnabled: (key, enabled) =>
      edit(
        (t) => withPluginEnabled(t, key, enabled),
        (t) => parses(t) && enabledIn(t, key) === enabled,
      ),
    remove: (key) =>
      edit(
        (t) => withoutPlugin(t, key),
        (t) => parses(t) && enabledIn(t, key) === undefined,
      ),
  };
};

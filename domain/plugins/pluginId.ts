import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { invalidArgument } from '../errors.js';
import { decide, takeNow } from '../effect.js';

/** A plugin as Codex config and the plugin cache name it: `<name>@<marketplace>`. */
export interface PluginId {
  readonly pluginName: string;
  readonly marketplaceName: string;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** A name or marketplace segment: ASCII letters, digits, `_` and `-` (it becomes a directory). */
export const validatePluginSegment = (segment: string, kind: string): E.Either<EngineError, string> =>
  segment === ''
    ? E.left(invalidArgument(kind, 'must not be empty'))
    : SEGMENT.test(segment)
      ? E.right(segment)
      : E.left(
          invalidArgument(kind, `only ASCII letters, digits, \`_\` and \`-\` are allowed: ${JSON.stringify(segment)}`),
        );

export const parsePluginId = (key: string): E.Either<EngineError, PluginId> => {
  const at = key.lastIndexOf('@');
  if (at <= 0 || at === key.length - 1)
    return E.left(invalidArgument('plugin id', `expected <name>@<marketplace>, got ${JSON.stringify(key)}`));
  return decide(() => {
    const pluginName = takeNow(validatePluginSegment(key.slice(0, at), 'plugin name'));
    const marketplaceName = takeNow(validatePluginSegment(key.slice(at + 1), 'marketplace name'));
    return Object.freeze({ pluginName, marketplaceName });
  });
};

export const pluginKey = (id: PluginId): string => `${id.pluginName}@${id.marketplaceName}`;

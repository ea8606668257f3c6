import { createHash } from 'node:crypto';
import * as nodePath from 'node:path';
import { lockPathFor } from '../fs/lockFile.js';

/**
 * The lock an import of one source file holds (one import of a file at a time, across processes):
 * `<CODEX_HOME>/.import-<sha256 of its real path, 32 hex>.lock`. A killed import leaves it; the
 * leftovers sweep knows it by this name and removes it once its holder is gone.
 */
export const importLockPathOf = (codexHome: string, realSourcePath: string): string =>
  lockPathFor(
    nodePath.join(codexHome, `.import-${createHash('sha256').update(realSourcePath).digest('hex').slice(0, 32)}`),
  );

/** Whether a name in CODEX_HOME is an import's lock (or its breaker's file). */
export const isImportLockName = (name: string): boolean => /^\.import-[0-9a-f]{32}\.lock(\.break)?$/.test(name);

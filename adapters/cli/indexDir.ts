import * as nodePath from 'node:path';

/** `--index-dir`, else `<codex-home>/.rollout-engine/`. */
export const resolveIndexDir = (codexHome: string, flag: string | undefined): string =>
  nodePath.resolve(flag ?? nodePath.join(codexHome, '.rollout-engine'));

/** The LMDB environment folder inside an index dir. */
export const lmdbDirOf = (indexDir: string): string => nodePath.join(indexDir, 'index');

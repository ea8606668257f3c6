import * as os from 'node:os';
import * as nodePath from 'node:path';

/** `--codex-home`, else `$CODEX_HOME`, else `~/.codex` (as Codex itself resolves it). */
export const resolveCodexHome = (flag: string | undefined): string => nodePath.resolve(flag ?? process.env['CODEX_HOME'] ?? nodePath.join(os.homedir(), '.codex'));

/** `--index-dir`, else `<codex-home>/.rollout-engine/`. */
export const resolveIndexDir = (codexHome: string, flag: string | undefined): string => nodePath.resolve(flag ?? nodePath.join(codexHome, '.rollout-engine'));

/** The LMDB environment folder inside an index dir. */
export const lmdbDirOf = (indexDir: string): string => nodePath.join(indexDir, 'index');

import * as os from 'node:os';
import * as nodePath from 'node:path';

/** `--codex-home`, else `$CODEX_HOME`, else `~/.codex` (as Codex itself resolves it). */
export const resolveCodexHome = (flag: string | undefined): string =>
  nodePath.resolve(flag ?? process.env['CODEX_HOME'] ?? nodePath.join(os.homedir(), '.codex'));

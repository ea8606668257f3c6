// Runs our own CLI (the bundle users run, `dist/cli/main.js`) the way a user would, bounded in time.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI as ENGINE_CLI_PATH } from '../fixtures/cliBundle.js';

export { ENGINE_CLI_PATH };

export interface EngineCliRun {
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** `umask000`: run it through a shell that sets `umask 000` and execs node (modes must hold whatever the umask). */
export function runEngineCli(
  args: readonly string[],
  timeoutMs = 30_000,
  env: NodeJS.ProcessEnv = {},
  umask000 = false,
): Promise<EngineCliRun> {
  if (!existsSync(ENGINE_CLI_PATH)) {
    return Promise.resolve({
      args,
      exitCode: null,
      signal: null,
      stdout: '',
      stderr: `CLI not built: ${ENGINE_CLI_PATH} does not exist`,
      timedOut: false,
    });
  }
  return new Promise((resolve) => {
    const [file, argv] = umask000
      ? ['sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, ENGINE_CLI_PATH, ...args]]
      : [process.execPath, [ENGINE_CLI_PATH, ...args]];
    execFile(
      file,
      argv,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
        env: { ...process.env, ...env },
      },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string }) | null;
        resolve({
          args,
          exitCode: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
          timedOut: failure?.killed === true,
        });
      },
    );
  });
}

export type EngineJson =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string };

/** stdout parsed as one JSON document, or a short account of why not. */
export function engineJson(run: EngineCliRun): EngineJson {
  const head = (text: string): string => (text.length > 800 ? `${text.slice(0, 800)}…` : text);
  if (run.exitCode !== 0) {
    const how = run.timedOut ? 'timed out' : `exited ${run.exitCode ?? run.signal}`;
    return {
      ok: false,
      problem: `our CLI ${how}: rollout-engine ${run.args.join(' ')}\n${head(run.stderr || run.stdout)}`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(run.stdout) };
  } catch {
    return { ok: false, problem: `our CLI printed non-JSON: ${head(run.stdout)}\nstderr: ${head(run.stderr)}` };
  }
}

/** `rollout-engine read <threadId> --codex-home <home> --json` */
export async function readThreadWithEngine(codexHome: string, threadId: string): Promise<EngineJson> {
  return engineJson(await runEngineCli(['read', threadId, '--codex-home', codexHome, '--json']));
}

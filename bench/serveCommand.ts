import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/driving/cli/nodeFlags.js';
import { spawnRpcServer } from '../test/fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../test/fixtures/stdioRpcClient.js';

/**
 * How every bench starts `rollout-engine serve` on a home: `node` with the CLI's Node flags (what
 * the installed bin runs with), then BENCH_SERVE_NODE_FLAGS (node flags for the server alone, e.g.
 * `--cpu-prof --cpu-prof-dir DIR`), and the CLI's environment. `extra`: more `serve` options.
 */
export const serveCommand = (
  engineMain: string,
  home: string,
  indexDir: string,
  ...extra: ReadonlyArray<string>
): { readonly file: string; readonly args: string[]; readonly env: NodeJS.ProcessEnv } => ({
  file: process.execPath,
  args: [
    ...CLI_NODE_FLAGS,
    ...(process.env.BENCH_SERVE_NODE_FLAGS ?? '').split(' ').filter((f) => f !== ''),
    engineMain,
    'serve',
    '--codex-home',
    home,
    '--index-dir',
    indexDir,
    ...extra,
  ],
  env: cliNodeEnv(),
});

/** `serveCommand` started as a JSON-RPC client over its stdio. */
export const spawnServe = (
  engineMain: string,
  home: string,
  indexDir: string,
  ...extra: ReadonlyArray<string>
): StdioRpcClient => {
  const c = serveCommand(engineMain, home, indexDir, ...extra);
  return spawnRpcServer(c.file, c.args, { env: c.env });
};

/** An answer that must not be an error (a bench stops on one). */
export const answered = (a: RpcAnswer, what: string): void => {
  if ('error' in a) throw new Error(`${what}: ${JSON.stringify(a.error)}`);
};

/** The JSON-RPC handshake a client opens a server connection with. */
export const initialize = async (s: StdioRpcClient): Promise<void> => {
  answered(
    await s.request('initialize', {
      clientInfo: { name: 'bench', version: '0' },
      capabilities: { experimentalApi: true },
    }),
    'initialize',
  );
  s.notify('initialized');
};

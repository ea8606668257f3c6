// `rollout-engine serve --upstream codex` on a compat home, listening on a loopback WebSocket,
// with one client connected (not initialized: each spec says who it is): the set-up the specs
// that drive a real Codex client through the engine share.
import type { ChildProcess } from 'node:child_process';
import { connectWebSocketRpc } from '../fixtures/webSocketRpcClient.js';
import type { WebSocketRpcClient } from '../fixtures/webSocketRpcClient.js';
import { spawnListening } from '../fixtures/listeningServer.js';
import { appServerEnv, writeCodexConfig } from './appServer.js';
import type { CodexCommand } from './appServer.js';
import { ENGINE_CLI_PATH } from './engineCli.js';
import { MockResponses } from './mockResponses.js';
import { buildScenarioHome, SCENARIOS } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

/** The chat scenario's paginated home, written by the real codex under `root`, configured for a loopback mock Responses API (started): what an upstream's turns run against. */
export const chatHomeWithMock = async (
  root: string,
): Promise<{ readonly home: CompatHome; readonly mock: MockResponses }> => {
  const home = await buildScenarioHome(
    SCENARIOS.find((s) => s.name === 'chat')!,
    'paginated',
    root,
  );
  const mock = await MockResponses.start();
  writeCodexConfig(home.codexHome, mock.port);
  return { home, mock };
};

export interface UpstreamServe {
  readonly process: ChildProcess;
  readonly url: string;
  readonly client: WebSocketRpcClient;
  /** What serve has written to stderr so far (its JSON log). */
  readonly log: () => string;
  /** The client closed and serve stopped (SIGTERM, waited for). */
  readonly stop: () => Promise<void>;
}

/** Starts serve with `codex` as its upstream and connects a client once it listens. */
export const startUpstreamServe = async (
  home: CompatHome,
  codex: CodexCommand,
  logLevel: 'info' | 'warn',
): Promise<UpstreamServe> => {
  // `--upstream-bin` takes one executable: the native binary, or the package's launcher (a node script with its shebang).
  const upstreamBin = codex.args.length === 0 ? codex.file : codex.args[0]!;
  const started = await spawnListening(
    process.execPath,
    [
      ENGINE_CLI_PATH,
      'serve',
      '--codex-home',
      home.codexHome,
      '--upstream',
      'codex',
      '--upstream-bin',
      upstreamBin,
      '--log-level',
      logLevel,
    ],
    { env: { ...process.env, ...appServerEnv({ codexHome: home.codexHome }) }, cwd: home.workDir },
  );
  const { child: serve, url } = started;
  const stopServe = async (): Promise<void> => {
    if (serve.exitCode !== null || serve.signalCode !== null) return;
    const exited = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');
    await exited;
  };
  let client: WebSocketRpcClient;
  try {
    client = await connectWebSocketRpc(url, {}, 'codex');
  } catch (err) {
    await stopServe();
    throw err;
  }
  return {
    process: serve,
    url,
    client,
    log: started.stderr,
    stop: async () => {
      client.close();
      await stopServe();
    },
  };
};

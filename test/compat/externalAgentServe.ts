// `rollout-engine serve` as the external-agent compat tests drive it: the user's home is `userHome`
// (where Claude Code's `.claude` is looked for, CLAUDE_CONFIG_DIR unset), initialized as Codex's client.
import { COMPAT_CLIENT_NAME } from './appServer.js';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import type { TypedClient } from '../../protocol/client.js';

export interface ImportServer {
  readonly client: StdioRpcClient;
  /** A request's result, typed by the protocol's table; its error is thrown. */
  readonly ask: TypedClient['request'];
}

export const openImportServer = async (codexHome: string, userHome: string): Promise<ImportServer> => {
  const client = await initializedServe(codexHome, {
    clientInfo: { name: COMPAT_CLIENT_NAME, version: '0.1.0' },
    capabilities: { experimentalApi: true },
    env: { ...process.env, HOME: userHome, CLAUDE_CONFIG_DIR: '' },
  });
  return { client, ask: client.typed.request };
};

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppServer, writeCodexConfig } from './appServer.js';
import { MockResponses } from './mockResponses.js';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';

/** A running `codex app-server` on a fresh home, the mock Responses API it talks to, its work folder. */
export interface CodexBeside {
  readonly codexHome: string;
  readonly workDir: string;
  readonly codex: AppServer;
  readonly mock: MockResponses;
}

/**
 * A suite's real `codex app-server` and our `serve` on one home, side by side (a folder named by
 * `prefix` in the temp dir): each started by the test that needs it, all stopped and the folder
 * removed after the suite.
 */
export const useCodexBeside = (
  prefix: string,
): {
  readonly startCodex: () => Promise<CodexBeside>;
  readonly startServe: (codexHome: string, opts?: Parameters<typeof initializedServe>[1]) => Promise<StdioRpcClient>;
} => {
  let root: string | undefined;
  let mock: MockResponses | undefined;
  let codex: AppServer | undefined;
  let ours: StdioRpcClient | undefined;
  before(() => {
    root = mkdtempSync(join(tmpdir(), prefix));
  });
  after(async () => {
    await ours?.close();
    await codex?.stop();
    await mock?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });
  return {
    startCodex: async () => {
      const codexHome = join(root!, 'home');
      const workDir = join(root!, 'work');
      mkdirSync(workDir, { recursive: true });
      mock = await MockResponses.start();
      writeCodexConfig(codexHome, mock.port);
      codex = await AppServer.start({ codexHome, cwd: workDir });
      return { codexHome, workDir, codex, mock };
    },
    startServe: async (codexHome, opts) => (ours = await initializedServe(codexHome, opts)),
  };
};

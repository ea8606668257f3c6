// A cold Codex and our serve on one home, asked the same requests: Codex's refusals kept as answers
// (compared with ours as data), ours started as the compat specs' client, and the steps whose
// answers differ.
import { join } from 'node:path';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, ServeOptions, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { AppServerError } from './appServer.js';
import type { AppServer } from './appServer.js';
import { openColdCodex } from './compatHomes.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';

type ColdHome = { readonly codexHome: string; readonly workDir: string };

/** Codex's answer to `method`, its refusal (an `AppServerError`) as the answer's error. */
export const codexAnswer = async (codex: AppServer, method: string, params: unknown): Promise<RpcAnswer> => {
  try {
    return { result: await codex.request(method, params) };
  } catch (error) {
    if (!(error instanceof AppServerError)) throw error;
    return { error: { code: error.code, message: error.rpcMessage } };
  }
};

/** Our serve on `codexHome`, initialized as the compat specs' client: Codex's experimental API on. */
export const openOurs = (codexHome: string, serve: ServeOptions): Promise<StdioRpcClient> =>
  initializedServe(codexHome, {
    clientInfo: { name: 'compat', version: '0' },
    capabilities: { experimentalApi: true },
    ...serve,
  });

/**
 * Ours where `openColdCodex` runs Codex: in the home's work folder, HOME the `user-home` beside
 * the home, so that a relative cwd and `~` resolve alike on both.
 */
export const inCodexFolders = (home: ColdHome): Pick<ServeOptions, 'cwd' | 'env'> => ({
  cwd: home.workDir,
  env: { ...process.env, HOME: join(home.codexHome, '..', 'user-home') },
});

/** A cold Codex on `home`, then ours (`serve`: its flags and where it runs), given to `use`; both closed after. */
export const withColdCodexAndOurs = async <T>(
  home: ColdHome,
  serve: ServeOptions,
  use: (codex: AppServer, ours: StdioRpcClient) => Promise<T>,
): Promise<T> => {
  const codex = await openColdCodex(home);
  let ours: StdioRpcClient | undefined;
  try {
    ours = await openOurs(home.codexHome, serve);
    return await use(codex.server, ours);
  } finally {
    await ours?.close();
    await codex.stop();
  }
};

/** A request asked of both: its label in a report, method and params. */
export type Step = readonly [label: string, method: string, params: Record<string, unknown>];

/**
 * Each step asked of Codex, then of ours; the steps whose answers differ (both `normalised`
 * first), described, and how many were compared. With `dumpChars`, both answers of every step go
 * to stderr, each cut to that length.
 */
export const differingAnswers = async (
  codex: AppServer,
  ours: StdioRpcClient,
  steps: ReadonlyArray<Step>,
  opts: { readonly normalised?: (answer: unknown) => unknown; readonly dumpChars?: number | undefined } = {},
): Promise<{ differing: string[]; compared: number }> => {
  const normalised = opts.normalised ?? ((answer: unknown): unknown => answer);
  const differing: string[] = [];
  for (const [label, method, params] of steps) {
    const [c, o] = [await codexAnswer(codex, method, params), await ours.request(method, params)];
    if (opts.dumpChars !== undefined)
      process.stderr.write(
        `${label} ${method}\n  codex ${JSON.stringify(c).slice(0, opts.dumpChars)}\n  ours  ${JSON.stringify(o).slice(0, opts.dumpChars)}\n`,
      );
    const d = jsonDifferences(normalised(c), normalised(o), 8);
    if (d.length > 0) differing.push(`${label} ${method}\n${describeDifferences(d)}`);
  }
  return { differing, compared: steps.length };
};

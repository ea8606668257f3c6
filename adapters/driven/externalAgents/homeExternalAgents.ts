import * as E from 'fp-ts/lib/Either.js';
import { randomUUID } from 'node:crypto';
import * as nodePath from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { ExternalAgentPorts } from '../../../replay/ports.js';
import { CODEX_STATE_DB } from '../codexState/codexThreadState.js';
import { recordImportHistory } from '../codexState/importHistories.js';
import { toEngineError } from '../fs/fsError.js';
import { detectConfigMigrations, importConfigMigration } from './claudeCodeConfig.js';
import { agentHomeOf, externalAgentSessions } from './claudeCodeSessions.js';
import { DEFAULT_MODEL_PROVIDER, readConfiguredModelProvider } from '../fs/codexConfig.js';

/**
 * A home's external-agent ports (`replay/ports.ts` `ExternalAgentPorts`), built once per home by
 * `openCodexHome`: the agents' homes as the environment names them, Codex's ledger and histories
 * in this home, and one import at a time on it.
 */
export const homeExternalAgents = (codexHome: string, env: NodeJS.ProcessEnv = process.env): ExternalAgentPorts => {
  let running: Promise<void> = Promise.resolve();
  return {
    sessionsOf: (agent, agentHome) =>
      externalAgentSessions(agent, agentHome ?? agentHomeOf(agent, undefined, env), codexHome),
    sessionsFolder: (agent) => nodePath.join(agentHomeOf(agent, undefined, env), 'projects'),
    detectConfigItems: (agent, scope) => {
      // Only Claude Code's configuration has a migration (Codex's detector for Cursor finds sessions alone).
      if (agent !== 'claude') return TE.right([]);
      const agentHome = agentHomeOf(agent, undefined, env);
      return TE.tryCatch(
        async () => detectConfigMigrations(agentHome, codexHome, scope),
        toEngineError(agentHome, 'detect'),
      );
    },
    importConfigItem: (agent, item) => {
      const agentHome = agentHomeOf(agent, undefined, env);
      return TE.tryCatch(() => importConfigMigration(agentHome, codexHome, item), toEngineError(agentHome, 'import'));
    },
    // A Task never fails: a config that cannot be read gives Codex's default, as Codex's own start would refuse it anyway.
    modelProvider: async () => E.getOrElse(() => DEFAULT_MODEL_PROVIDER)(await readConfiguredModelProvider(codexHome)),
    recordHistory: (history) =>
      TE.tryCatch(
        () => recordImportHistory(codexHome, history),
        toEngineError(nodePath.join(codexHome, CODEX_STATE_DB), 'write'),
      ),
    newImportId: randomUUID,
    afterAnswer: (work) => {
      running = running
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(work)
        .catch(() => undefined);
    },
  };
};

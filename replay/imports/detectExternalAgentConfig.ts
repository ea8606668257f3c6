import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EngineError } from '../../domain/errors.js';
import { agentOf, DEFAULT_MAX_SESSION_AGE_DAYS, DEFAULT_MAX_SESSIONS } from '../../domain/externalConfig/migration.js';
import type { ExternalAgentConfigDetectResult, ExternalAgentMigrationItem } from '../../protocol/externalAgents.js';
import { migrationDetails } from '../../protocol/externalAgents.js';
import type { ParamsOf } from '../../protocol/methods.js';
import type { ExternalAgentPorts } from '../ports.js';

/** The SESSIONS migration item Codex offers for an agent home's recent sessions. */
export const sessionsItem = (
  sessionsFolder: string,
  sessions: ReadonlyArray<{ path: string; cwd: string; title: string | null }>,
): ExternalAgentMigrationItem => ({
  itemType: 'SESSIONS',
  description: `Migrate recent sessions from ${sessionsFolder}`,
  cwd: null,
  details: migrationDetails({ sessions: sessions.map((s) => ({ path: s.path, cwd: s.cwd, title: s.title })) }),
});

/**
 * `externalAgentConfig/detect`: for the user's home (`includeHome`) Claude Code's skills and
 * CLAUDE.md not yet migrated, then its (or, `migrationSource: cursor`, Cursor's) recent sessions,
 * newest first, not yet imported in their current state (Codex's ledger), with a cwd that exists,
 * Codex's limits unless given; then the same skills and CLAUDE.md items for each cwd's repository.
 * Other item kinds (settings, MCP servers, hooks, commands, subagents, plugins) are not detected.
 */
export const detectExternalAgentConfig = (
  ports: ExternalAgentPorts,
  p: ParamsOf<'externalAgentConfig/detect'>,
): TE.TaskEither<EngineError, ExternalAgentConfigDetectResult> => {
  const agent = agentOf(p.migrationSource);
  const sessions: TE.TaskEither<EngineError, ExternalAgentMigrationItem[]> =
    p.includeHome !== true
      ? TE.right([])
      : pipe(
          ports.sessionsOf(agent).detect({
            maxAgeDays: p.maxSessionAgeDays ?? DEFAULT_MAX_SESSION_AGE_DAYS,
            maxSessions: p.maxSessions ?? DEFAULT_MAX_SESSIONS,
          }),
          // Codex's answer has no place for the refused entries: they are left out (`import claude` reports them).
          TE.map(({ offered }) => (offered.length === 0 ? [] : [sessionsItem(ports.sessionsFolder(agent), offered)])),
        );
  return pipe(
    TE.Do,
    TE.apS('home', ports.detectConfigItems(agent, { includeHome: p.includeHome === true, cwds: [] })),
    TE.apS('sessions', sessions),
    TE.apS('repos', ports.detectConfigItems(agent, { includeHome: false, cwds: p.cwds ?? [] })),
    TE.map(({ home, sessions: s, repos }) => ({ items: [...home, ...s, ...repos], connectors: [] })),
  );
};

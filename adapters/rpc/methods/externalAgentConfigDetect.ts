import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as nodePath from 'node:path';
import { agentOf, DEFAULT_MAX_SESSION_AGE_DAYS, DEFAULT_MAX_SESSIONS } from '../../../domain/externalConfig/migration.js';
import { agentHomeOf } from '../../externalAgents/claudeCodeSessions.js';
import { detectConfigMigrations, migrationDetails } from '../../externalAgents/claudeCodeConfig.js';
import { toEngineError } from '../../fs/fsError.js';
import { bindMethod } from '../method.js';
import { externalAgentConfigDetectMethod } from '../../../protocol/externalAgents.js';

/** The SESSIONS migration item Codex offers for a Claude Code home's recent sessions. */
export const sessionsItem = (claudeHome: string, sessions: ReadonlyArray<{ path: string; cwd: string; title: string | null }>) => ({
  itemType: 'SESSIONS',
  description: `Migrate recent sessions from ${nodePath.join(claudeHome, 'projects')}`,
  cwd: null,
  details: migrationDetails({ sessions: sessions.map((s) => ({ path: s.path, cwd: s.cwd, title: s.title })) }),
});

/**
 * `externalAgentConfig/detect`: for the user's home (`includeHome`) Claude Code's skills and
 * CLAUDE.md not yet migrated (`claudeCodeConfig.ts`), then its (or, `migrationSource: cursor`,
 * Cursor's) recent sessions, newest first, not yet imported in their current state (Codex's
 * ledger), with a cwd that exists, Codex's limits unless given; then the same skills and
 * CLAUDE.md items for each cwd's repository. Other item kinds (settings, MCP servers, hooks,
 * commands, subagents, plugins) are not detected here.
 */
export const externalAgentConfigDetect = bindMethod(externalAgentConfigDetectMethod, (ctx, p) => {
  const agent = agentOf(p.migrationSource);
  const agentHome = agentHomeOf(agent, undefined);
  const config = (includeHome: boolean, cwds: ReadonlyArray<string>) =>
    agent === 'claude'
      ? TE.tryCatch(async () => detectConfigMigrations(agentHome, ctx.codexHome, { includeHome, cwds }), toEngineError(agentHome, 'detect'))
      : TE.right([]);
  const sessions =
    p.includeHome !== true
      ? TE.right([])
      : async () =>
          pipe(
            (await ctx.externalAgents()).sessionsOf(agent, agentHome).detect({
              maxAgeDays: p.maxSessionAgeDays ?? DEFAULT_MAX_SESSION_AGE_DAYS,
              maxSessions: p.maxSessions ?? DEFAULT_MAX_SESSIONS,
            }),
            // Codex's answer has no place for the refused entries: they are left out (`import claude` reports them).
            TE.map(({ offered }) => (offered.length === 0 ? [] : [sessionsItem(agentHome, offered)])),
          )();
  return pipe(
    TE.Do,
    TE.apS('home', config(p.includeHome === true, [])),
    TE.apS('sessions', sessions),
    TE.apS('repos', config(false, p.cwds ?? [])),
    TE.map(({ home, sessions: s, repos }) => ({ items: [...home, ...s, ...repos], connectors: [] })),
  );
});

import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import * as nodePath from 'node:path';
import { agentHomeOf, DEFAULT_MAX_SESSION_AGE_DAYS, DEFAULT_MAX_SESSIONS, externalAgentSessions } from '../../externalAgents/claudeCodeSessions.js';
import type { ExternalAgent } from '../../externalAgents/claudeCodeSessions.js';
import { defineMethod } from '../method.js';
import { optional, U32 } from '../protocol.js';

/** `externalAgentConfig/detect` params, as Codex 0.169.0 declares them (`source` is deprecated and ignored there too). */
export const ExternalAgentConfigDetectParams = t.partial({
  includeHome: optional(t.boolean),
  cwds: optional(t.array(t.string)),
  maxSessionAgeDays: optional(U32),
  maxSessions: optional(U32),
  source: optional(t.string),
  migrationSource: optional(t.string),
});

/** Codex's `migrationSource`: `cursor` selects Cursor; missing or anything else, the default source (Claude Code). */
export const agentOf = (migrationSource: string | null | undefined): ExternalAgent => (migrationSource === 'cursor' ? 'cursor' : 'claude');

/** The SESSIONS migration item Codex offers for a Claude Code home's recent sessions. */
export const sessionsItem = (claudeHome: string, sessions: ReadonlyArray<{ path: string; cwd: string; title: string | null }>) => ({
  itemType: 'SESSIONS',
  description: `Migrate recent sessions from ${nodePath.join(claudeHome, 'projects')}`,
  cwd: null,
  details: {
    plugins: [],
    skills: [],
    sessions: sessions.map((s) => ({ path: s.path, cwd: s.cwd, title: s.title })),
    mcpServers: [],
    hooks: [],
    subagents: [],
    commands: [],
  },
});

/**
 * `externalAgentConfig/detect`, the SESSIONS item: Claude Code's (or, `migrationSource: cursor`,
 * Cursor's) recent sessions under the user's home (`includeHome`), newest first, not yet imported in their current state (Codex's ledger), with
 * a cwd that exists; Codex's limits unless given. Other item kinds (settings, skills, MCP servers)
 * are not detected here.
 */
export const externalAgentConfigDetect = defineMethod({
  name: 'externalAgentConfig/detect',
  params: ExternalAgentConfigDetectParams,
  scope: () => null,
  handle: (ctx, p) => {
    if (p.includeHome !== true) return TE.right({ items: [], connectors: [] });
    const agent = agentOf(p.migrationSource);
    const claudeHome = agentHomeOf(agent, undefined);
    return pipe(
      externalAgentSessions(agent, claudeHome, ctx.codexHome).detect({
        maxAgeDays: p.maxSessionAgeDays ?? DEFAULT_MAX_SESSION_AGE_DAYS,
        maxSessions: p.maxSessions ?? DEFAULT_MAX_SESSIONS,
      }),
      TE.map((sessions) => ({ items: sessions.length === 0 ? [] : [sessionsItem(claudeHome, sessions)], connectors: [] })),
    );
  },
});

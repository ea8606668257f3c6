/**
 * Codex's external-agent migration (`externalAgentConfig/detect` and `…/import`, 0.169.0): the
 * agents it migrates from, its limits on sessions, the configuration item types the engine
 * migrates and the order Codex lists item types in.
 */

/** The agents whose sessions can be imported, as Codex names them (`migrationSource`). */
export type ExternalAgent = 'claude' | 'cursor';

/** Codex's `migrationSource`: `cursor` selects Cursor; missing or anything else, the default source (Claude Code). */
export const agentOf = (migrationSource: string | null | undefined): ExternalAgent =>
  migrationSource === 'cursor' ? 'cursor' : 'claude';

/** Codex's defaults: the 50 newest sessions of the last 30 days. */
export const DEFAULT_MAX_SESSIONS = 50;
export const DEFAULT_MAX_SESSION_AGE_DAYS = 30;

/** The configuration items migrated from Claude Code (`adapters/driven/externalAgents/claudeCodeConfig.ts`). */
export type ConfigItemType = 'SKILLS' | 'COMMANDS' | 'SUBAGENTS' | 'AGENTS_MD';
export const CONFIG_ITEM_TYPES: ReadonlyArray<ConfigItemType> = ['SKILLS', 'COMMANDS', 'SUBAGENTS', 'AGENTS_MD'];

export const isConfigItemType = (itemType: string): itemType is ConfigItemType =>
  (CONFIG_ITEM_TYPES as ReadonlyArray<string>).includes(itemType);

/** What importing one item did: a success per file or skill written (source, target). */
export interface ConfigImportResult {
  readonly successes: Array<{ readonly source: string; readonly target: string }>;
}

/** The order Codex's completed notification (and its history) lists item types in: its own enum's. */
export const ITEM_TYPE_ORDER: ReadonlyArray<string> = [
  'CONFIG',
  'SKILLS',
  'AGENTS_MD',
  'PLUGINS',
  'MCP_SERVER_CONFIG',
  'SUBAGENTS',
  'HOOKS',
  'COMMANDS',
  'MEMORY',
  'SESSIONS',
];

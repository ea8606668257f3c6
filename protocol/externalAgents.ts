import * as t from 'io-ts';
import { U32, optional } from './jsonRpc.js';
import { method, unscoped } from './methodEntry.js';

/** `externalAgentConfig/detect` params, as Codex 0.169.0 declares them (`source` is deprecated and ignored there too). */
export const ExternalAgentConfigDetectParams = t.partial({
  includeHome: optional(t.boolean),
  cwds: optional(t.array(t.string)),
  maxSessionAgeDays: optional(U32),
  maxSessions: optional(U32),
  source: optional(t.string),
  migrationSource: optional(t.string),
});

/** Codex's `MigrationDetails`, every list present (the engine's detection fills `skills` and `sessions`). */
export interface MigrationDetails {
  readonly plugins: unknown[];
  readonly skills: Array<{ readonly name: string }>;
  readonly sessions: Array<{ readonly path: string; readonly cwd: string; readonly title: string | null }>;
  readonly mcpServers: unknown[];
  readonly hooks: unknown[];
  readonly subagents: unknown[];
  readonly commands: unknown[];
}

/** Codex's `MigrationDetails` with the lists given, the others empty. */
export const migrationDetails = (partial: Partial<MigrationDetails>): MigrationDetails => ({
  plugins: [],
  skills: [],
  sessions: [],
  mcpServers: [],
  hooks: [],
  subagents: [],
  commands: [],
  ...partial,
});

/** One thing to migrate, as `externalAgentConfig/detect` offers it (Codex's `ExternalAgentConfigMigrationItem`; `itemType` one of Codex's, `ITEM_TYPE_ORDER`). */
export interface ExternalAgentMigrationItem {
  readonly itemType: string;
  readonly description: string;
  /** Null for the user's home; a repository's folder for its items. */
  readonly cwd: string | null;
  readonly details: MigrationDetails | null;
}

/** A connector another agent used, as Codex offers it (`ExternalAgentDetectedConnectorCandidate` / `…ImportedConnectorCandidate`): the engine finds none. */
export interface ExternalAgentConnector {
  readonly name: string;
  readonly sessionCount: number;
  readonly source: string;
}

/** What `externalAgentConfig/detect` answers (Codex's `ExternalAgentConfigDetectResponse`). */
export interface ExternalAgentConfigDetectResult {
  readonly items: ExternalAgentMigrationItem[];
  readonly connectors: ExternalAgentConnector[];
}

/** `externalAgentConfig/detect`: what of Claude Code's (or Cursor's) config and recent sessions is there to migrate. */
export const externalAgentConfigDetectMethod = method<ExternalAgentConfigDetectResult>()({
  name: 'externalAgentConfig/detect',
  params: ExternalAgentConfigDetectParams,
  scope: unscoped,
});

const MigrationItem = t.intersection([
  t.type({ itemType: t.string }),
  t.partial({
    description: optional(t.string),
    cwd: optional(t.string),
    details: optional(
      t.partial({
        sessions: optional(
          t.array(
            t.intersection([
              t.type({ path: t.string }),
              t.partial({ cwd: optional(t.string), title: optional(t.string) }),
            ]),
          ),
        ),
      }),
    ),
  }),
]);

/** `externalAgentConfig/import` params, as Codex 0.169.0 declares them. */
export const ExternalAgentConfigImportParams = t.intersection([
  t.type({ migrationItems: t.array(MigrationItem) }),
  t.partial({ source: optional(t.string), providerId: optional(t.string), migrationSource: optional(t.string) }),
]);

/** `externalAgentConfig/import`: `{importId}` at once; the import goes on after the answer, told by notifications. */
export const externalAgentConfigImportMethod = method<{ importId: string }>()({
  name: 'externalAgentConfig/import',
  params: ExternalAgentConfigImportParams,
  scope: unscoped,
});

/** One completed external-agent import as Codex's histories keep it (Codex's `ExternalAgentConfigImportHistory`). */
export interface ImportHistory {
  readonly importId: string;
  readonly providerId: string | null;
  readonly completedAtMs: number;
  readonly successes: ReadonlyArray<Record<string, unknown>>;
  readonly failures: ReadonlyArray<Record<string, unknown>>;
}

/** What `externalAgentConfig/import/readHistories` answers (Codex's `ExternalAgentConfigImportHistoriesReadResponse`). */
export interface ImportHistories {
  readonly data: ImportHistory[];
  readonly connectors: ExternalAgentConnector[];
}

/** `externalAgentConfig/import/readHistories`: the completed imports Codex keeps in its state DB, newest first. */
export const externalAgentConfigReadHistoriesMethod = method<ImportHistories>()({
  name: 'externalAgentConfig/import/readHistories',
  ours: true,
  params: optional(t.unknown),
  scope: unscoped,
});

const Success = t.intersection([
  t.type({
    itemType: t.string,
    cwd: t.union([t.string, t.null]),
    source: t.union([t.string, t.null]),
    target: t.union([t.string, t.null]),
  }),
  t.partial({ title: optional(t.string) }),
]);
const Failure = t.type({
  itemType: t.string,
  errorType: t.union([t.string, t.null]),
  subErrorType: t.union([t.string, t.null]),
  failureStage: t.string,
  message: t.string,
  cwd: t.union([t.string, t.null]),
  source: t.union([t.string, t.null]),
});

/** `externalAgentConfig/import/recordHistory` params, as Codex 0.169.0 declares them. */
export const ExternalAgentConfigRecordHistoryParams = t.type({
  providerId: t.string,
  itemTypeResults: t.array(t.type({ itemType: t.string, successes: t.array(Success), failures: t.array(Failure) })),
});

/** `externalAgentConfig/import/recordHistory`: an import a client completed elsewhere, recorded with a new id. */
export const externalAgentConfigRecordHistoryMethod = method<{ importId: string }>()({
  name: 'externalAgentConfig/import/recordHistory',
  params: ExternalAgentConfigRecordHistoryParams,
  scope: unscoped,
});

import * as t from 'io-ts';
import { importExternalAgentConfig } from '../../../replay/importExternalAgentConfig.js';
import { externalAgentsOf } from '../homeBundles.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';

const MigrationItem = t.intersection([
  t.type({ itemType: t.string }),
  t.partial({
    description: optional(t.string),
    cwd: optional(t.string),
    details: optional(
      t.partial({ sessions: optional(t.array(t.intersection([t.type({ path: t.string }), t.partial({ cwd: optional(t.string), title: optional(t.string) })]))) }),
    ),
  }),
]);

/** `externalAgentConfig/import` params, as Codex 0.169.0 declares them. */
export const ExternalAgentConfigImportParams = t.intersection([
  t.type({ migrationItems: t.array(MigrationItem) }),
  t.partial({ source: optional(t.string), providerId: optional(t.string), migrationSource: optional(t.string) }),
]);
/**
 * `externalAgentConfig/import` (`replay/importExternalAgentConfig.ts`): answers `{importId}` at
 * once; the import's progress and completion are pushed to this connection after that answer.
 */
export const externalAgentConfigImport = defineMethod({
  name: 'externalAgentConfig/import',
  params: ExternalAgentConfigImportParams,
  scope: () => null,
  handle: (ctx, p) => async () =>
    importExternalAgentConfig(
      ctx.ports,
      await externalAgentsOf(ctx),
      { ...p, ...(ctx.clientName === undefined ? {} : { clientName: ctx.clientName }) },
      (method, params) => ctx.push?.(method, params),
    )(),
});

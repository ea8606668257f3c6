import { externalAgentConfigImportMethod } from '../../../../protocol/externalAgents.js';
import { importExternalAgentConfig } from '../../../../replay/imports/importExternalAgentConfig.js';
import { bindMethod } from '../method.js';

/**
 * `externalAgentConfig/import` (`replay/imports/importExternalAgentConfig.ts`): answers `{importId}` at
 * once; the import's progress and completion are pushed to this connection after that answer.
 */
export const externalAgentConfigImport = bindMethod(
  externalAgentConfigImportMethod,
  (ctx, p) => async () =>
    importExternalAgentConfig(
      ctx.ports,
      await ctx.externalAgents(),
      { ...p, ...(ctx.clientName === undefined ? {} : { clientName: ctx.clientName }), cliVersion: ctx.codexVersion },
      (method, params) => ctx.push?.(method, params),
    )(),
);

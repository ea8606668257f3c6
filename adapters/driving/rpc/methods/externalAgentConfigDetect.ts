import { detectExternalAgentConfig } from '../../../../replay/imports/detectExternalAgentConfig.js';
import { bindMethod } from '../method.js';
import { externalAgentConfigDetectMethod } from '../../../../protocol/externalAgents.js';

/** `externalAgentConfig/detect`: the use case on the home's external-agent ports. */
export const externalAgentConfigDetect = bindMethod(
  externalAgentConfigDetectMethod,
  (ctx, p) => async () => detectExternalAgentConfig(await ctx.externalAgents(), p)(),
);

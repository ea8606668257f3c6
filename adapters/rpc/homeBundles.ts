import type { ExternalAgentPorts } from '../../replay/ports.js';
import type { HomePluginPorts } from '../plugins/homeRemotePlugins.js';
import type { RpcContext } from './method.js';

/** The home's external-agent ports: the service's (`openCodexHome`), or, for a service built without them (tests), built for the request. */
export const externalAgentsOf = (ctx: Pick<RpcContext, 'codexHome' | 'externalAgents'>): Promise<ExternalAgentPorts> =>
  ctx.externalAgents?.() ?? import('../externalAgents/homeExternalAgents.js').then((m) => m.homeExternalAgents(ctx.codexHome));

/** The home's plugin ports: the service's (`openCodexHome`), or, for a service built without them (tests), built for the request. */
export const pluginsOf = (ctx: Pick<RpcContext, 'codexHome' | 'plugins' | 'chatgptBaseUrl'>): Promise<HomePluginPorts> =>
  ctx.plugins?.() ??
  import('../plugins/homeRemotePlugins.js').then((m) => m.homePluginPorts(ctx.codexHome, ctx.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: ctx.chatgptBaseUrl }));

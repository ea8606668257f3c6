import type * as t from 'io-ts';
import {
  externalAgentConfigDetectMethod,
  externalAgentConfigImportMethod,
  externalAgentConfigReadHistoriesMethod,
  externalAgentConfigRecordHistoryMethod,
} from './externalAgents.js';
import { reviewStartMethod, rolloutAppendMethod, threadForkMethod, threadRevertMethod, threadRollbackMethod } from './historyWrites.js';
import { threadItemsListMethod, threadItemsReadMethod } from './items.js';
import {
  threadArchiveMethod,
  threadDeleteMethod,
  threadMetadataUpdateMethod,
  threadNameSetMethod,
  threadReadStateUpdateMethod,
  threadUnarchiveMethod,
} from './management.js';
import { pluginInstalledMethod, pluginInstallMethod, pluginListMethod, pluginReadMethod, pluginUninstallMethod } from './plugins.js';
import { threadSearchCancelMethod, threadSearchMethod, threadSearchOccurrencesMethod, threadSearchStreamCancelMethod, threadSearchStreamMethod } from './search.js';
import { initializeMethod, serverDiagnosticsMethod } from './server.js';
import {
  threadItemKindsMethod,
  threadListMethod,
  threadLoadedListMethod,
  threadReadMethod,
  threadsForkedFromMethod,
  threadSubscribeMethod,
  threadTreeMethod,
  threadUnsubscribeMethod,
} from './threads.js';
import { tokensChartsMethod, tokensReportMethod, threadTokenUsageReadMethod } from './tokens.js';
import { threadTurnsListMethod } from './turns.js';

/** Every method the app-server answers, in one list (`adapters/driving/rpc/methods/` binds each to its use case). */
const ENTRIES = [
  initializeMethod,
  serverDiagnosticsMethod,
  threadListMethod,
  threadReadMethod,
  threadTreeMethod,
  threadsForkedFromMethod,
  threadItemKindsMethod,
  threadLoadedListMethod,
  threadSubscribeMethod,
  threadUnsubscribeMethod,
  threadTurnsListMethod,
  threadItemsListMethod,
  threadItemsReadMethod,
  threadForkMethod,
  threadRevertMethod,
  threadRollbackMethod,
  reviewStartMethod,
  rolloutAppendMethod,
  threadNameSetMethod,
  threadArchiveMethod,
  threadUnarchiveMethod,
  threadDeleteMethod,
  threadMetadataUpdateMethod,
  threadReadStateUpdateMethod,
  threadSearchMethod,
  threadSearchOccurrencesMethod,
  threadSearchStreamMethod,
  threadSearchCancelMethod,
  threadSearchStreamCancelMethod,
  threadTokenUsageReadMethod,
  tokensChartsMethod,
  tokensReportMethod,
  pluginListMethod,
  pluginInstalledMethod,
  pluginReadMethod,
  pluginInstallMethod,
  pluginUninstallMethod,
  externalAgentConfigDetectMethod,
  externalAgentConfigImportMethod,
  externalAgentConfigReadHistoriesMethod,
  externalAgentConfigRecordHistoryMethod,
] as const;

type Entries = (typeof ENTRIES)[number];

/** A method's name. */
export type MethodName = Entries['name'];

/** The table: each method's entry by its name. */
export type MethodTable = { readonly [N in MethodName]: Extract<Entries, { name: N }> };

export const METHODS: MethodTable = Object.fromEntries(ENTRIES.map((e) => [e.name, e])) as MethodTable;

/** Every entry, in declaration order. */
export const METHOD_ENTRIES: ReadonlyArray<Entries> = ENTRIES;

/** The params a method takes, decoded (what its codec yields). */
export type ParamsOf<M extends MethodName> = MethodTable[M] extends { readonly params: t.Decoder<unknown, infer P> } ? P : never;

/** What a method answers. */
export type ResultOf<M extends MethodName> = MethodTable[M] extends { readonly result?: infer R } ? R : never;

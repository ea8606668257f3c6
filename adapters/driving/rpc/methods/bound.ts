import type { MethodName } from '../../../../protocol/methods.js';
import type { BoundMethod, RpcMethod } from '../method.js';
import { initialize } from './initialize.js';
import { threadList } from './threadList.js';
import { threadRead } from './threadRead.js';
import { threadTurnsList } from './threadTurnsList.js';
import { threadItemsList } from './threadItemsList.js';
import { threadItemsRead } from './threadItemsRead.js';
import { threadFork } from './threadFork.js';
import { threadRevert } from './threadRevert.js';
import { threadRollback } from './threadRollback.js';
import { reviewStart } from './reviewStart.js';
import { threadTokenUsageRead } from './threadTokenUsageRead.js';
import { serverDiagnostics } from './serverDiagnostics.js';
import { rolloutAppend } from './rolloutAppend.js';
import { threadSubscribe } from './threadSubscribe.js';
import { threadUnsubscribe } from './threadUnsubscribe.js';
import { threadNameSet } from './threadNameSet.js';
import { threadArchive } from './threadArchive.js';
import { threadUnarchive } from './threadUnarchive.js';
import { threadMetadataUpdate } from './threadMetadataUpdate.js';
import { threadDelete } from './threadDelete.js';
import { threadLoadedList } from './threadLoadedList.js';
import { threadReadStateUpdate } from './threadReadStateUpdate.js';
import { threadSearch, threadSearchCancel, threadSearchStream, threadSearchStreamCancel } from './threadSearch.js';
import { threadSearchOccurrences } from './threadSearchOccurrences.js';
import { pluginList } from './pluginList.js';
import { pluginInstalled } from './pluginInstalled.js';
import { pluginRead } from './pluginRead.js';
import { pluginInstall } from './pluginInstall.js';
import { pluginUninstall } from './pluginUninstall.js';
import { threadTree } from './threadTree.js';
import { threadsForkedFrom } from './threadsForkedFrom.js';
import { threadItemKinds } from './threadItemKinds.js';
import { tokensCharts } from './tokensCharts.js';
import { tokensReport } from './tokensReport.js';
import { externalAgentConfigDetect } from './externalAgentConfigDetect.js';
import { externalAgentConfigImport } from './externalAgentConfigImport.js';
import { externalAgentConfigReadHistories, externalAgentConfigRecordHistory } from './externalAgentConfigHistories.js';

/**
 * Every method `serve` answers, by name: a mapped type over the protocol's method names, so a
 * method with no binding, or a name bound to another method's entry, is a compile error. Adding
 * a method: its entry in `protocol/`, its binding in a file of this folder, its line here.
 */
export const BOUND_METHODS: { readonly [N in MethodName]: BoundMethod<N> } = {
  initialize: initialize,
  'thread/list': threadList,
  'thread/read': threadRead,
  'thread/turns/list': threadTurnsList,
  'thread/items/list': threadItemsList,
  'thread/items/read': threadItemsRead,
  'thread/fork': threadFork,
  'thread/revert': threadRevert,
  'thread/rollback': threadRollback,
  'review/start': reviewStart,
  'thread/tokenUsage/read': threadTokenUsageRead,
  'server/diagnostics': serverDiagnostics,
  'rollout/append': rolloutAppend,
  'rolloutEngine/thread/subscribe': threadSubscribe,
  'thread/unsubscribe': threadUnsubscribe,
  'thread/name/set': threadNameSet,
  'thread/archive': threadArchive,
  'thread/unarchive': threadUnarchive,
  'thread/metadata/update': threadMetadataUpdate,
  'thread/delete': threadDelete,
  'thread/loaded/list': threadLoadedList,
  'thread/readState/update': threadReadStateUpdate,
  'thread/search': threadSearch,
  'thread/searchOccurrences': threadSearchOccurrences,
  'thread/search/stream': threadSearchStream,
  'thread/search/cancel': threadSearchCancel,
  'thread/search/stream/cancel': threadSearchStreamCancel,
  'plugin/list': pluginList,
  'plugin/installed': pluginInstalled,
  'plugin/read': pluginRead,
  'plugin/install': pluginInstall,
  'plugin/uninstall': pluginUninstall,
  'rolloutEngine/thread/tree': threadTree,
  'rolloutEngine/threads/forkedFrom': threadsForkedFrom,
  'rolloutEngine/thread/itemKinds': threadItemKinds,
  'rolloutEngine/tokens/charts': tokensCharts,
  'rolloutEngine/tokens/report': tokensReport,
  'externalAgentConfig/detect': externalAgentConfigDetect,
  'externalAgentConfig/import': externalAgentConfigImport,
  'externalAgentConfig/import/readHistories': externalAgentConfigReadHistories,
  'externalAgentConfig/import/recordHistory': externalAgentConfigRecordHistory,
};

/** The same, as the server takes them. */
export const ALL_METHODS: ReadonlyArray<RpcMethod> = Object.values(BOUND_METHODS);

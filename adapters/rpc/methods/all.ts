import type { RpcMethod } from '../method.js';
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
import { threadSearch } from './threadSearch.js';
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

/** Every method `serve` answers. Adding one: a file in this folder, listed here. */
export const ALL_METHODS: ReadonlyArray<RpcMethod> = [
  initialize,
  threadList,
  threadRead,
  threadTurnsList,
  threadItemsList,
  threadItemsRead,
  threadFork,
  threadRevert,
  threadRollback,
  reviewStart,
  threadTokenUsageRead,
  serverDiagnostics,
  rolloutAppend,
  threadSubscribe,
  threadUnsubscribe,
  threadNameSet,
  threadArchive,
  threadUnarchive,
  threadMetadataUpdate,
  threadDelete,
  threadLoadedList,
  threadReadStateUpdate,
  threadSearch,
  threadSearchOccurrences,
  pluginList,
  pluginInstalled,
  pluginRead,
  pluginInstall,
  pluginUninstall,
  threadTree,
  threadsForkedFrom,
  threadItemKinds,
  tokensCharts,
  tokensReport,
  externalAgentConfigDetect,
  externalAgentConfigImport,
  externalAgentConfigReadHistories,
  externalAgentConfigRecordHistory,
];

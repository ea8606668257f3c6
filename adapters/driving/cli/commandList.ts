import { readCommand } from './commands/read.js';
import { indexCommand } from './commands/buildIndex.js';
import { verifyCommand } from './commands/verify.js';
import { repairCommand } from './commands/repair.js';
import { serveCommand } from './commands/serve.js';
import { viewCommand } from './commands/view.js';
import { threadsCommand } from './commands/threads.js';
import { turnsCommand } from './commands/turns.js';
import { itemsCommand } from './commands/items.js';
import { tokensCommand } from './commands/tokens.js';
import { pluginsCommand } from './commands/plugins.js';
import { analyticsCommand } from './commands/analytics.js';
import { forkCommand } from './commands/fork.js';
import { importCommand } from './commands/importSessions.js';
import { revertCommand } from './commands/revert.js';
import { rollbackCommand } from './commands/rollback.js';
import { reviewCommand } from './commands/review.js';
import { tokenUsageCommand } from './commands/tokenUsage.js';
import { appendCommand } from './commands/append.js';
import { nameCommand } from './commands/name.js';
import { archiveCommand } from './commands/archive.js';
import { unarchiveCommand } from './commands/unarchive.js';
import { metadataCommand } from './commands/metadata.js';
import { deleteCommand } from './commands/delete.js';
import { readStateCommand } from './commands/readState.js';
import { searchCommand } from './commands/search.js';
import { mirrorCommand } from './commands/mirror.js';
import { exportCommand } from './commands/export.js';

/** Every command, in the order `--help` lists them (main.ts registers them; cliOptions.unit checks them). */
export const COMMANDS = [
  readCommand,
  threadsCommand,
  turnsCommand,
  itemsCommand,
  indexCommand,
  verifyCommand,
  repairCommand,
  serveCommand,
  viewCommand,
  tokensCommand,
  pluginsCommand,
  analyticsCommand,
  forkCommand,
  revertCommand,
  rollbackCommand,
  reviewCommand,
  tokenUsageCommand,
  appendCommand,
  nameCommand,
  archiveCommand,
  unarchiveCommand,
  metadataCommand,
  deleteCommand,
  readStateCommand,
  searchCommand,
  mirrorCommand,
  exportCommand,
  importCommand,
];

import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerPlugins = (program: Command): void => {
  withHomeOptions(
    program.command('plugins').description('plugin identity: local id ↔ remote id (sidecars), versions, first/last use and enable state (rollouts)'),
  ).action(lazyAction(() => import('../actions/plugins.js')));
};

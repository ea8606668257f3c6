import { command } from '../commandSpec.js';
import { numberOption, option } from '../optionTable.js';
import { HOME_OPTIONS } from '../homeOptions.js';
import { PRICING_OPTION } from '../pricingOption.js';

/**
 * `rollout-engine view`: the web viewer in one command — `serve` on a loopback WebSocket
 * listener (a free port unless `--port`), its viewer address printed, and a browser opened on it
 * where the system has an opener; it runs until Ctrl-C.
 */
export const viewCommand = command({
  name: 'view',
  description:
    "open the web viewer on a home: serve it on a free loopback port, print the viewer's address and open a browser on it (Ctrl-C stops)",
  arguments: [],
  options: {
    port: option('--port <n>', 'the loopback port to listen on (default: one the system picks)', {
      param: 'port',
      toParam: numberOption,
    }),
    open: option('--no-open', 'print the address only; do not start a browser', { param: 'open' }),
    ...PRICING_OPTION,
    ...HOME_OPTIONS,
  },
  params: async () => ({ codec: (await import('../serveProcess.js')).ViewOptions }),
  run: async ({ opts, params }) => (await import('../serveProcess.js')).view(opts, params),
});

// Child process for the sidecar atomicity test: writes a plugin's remote-install sidecar through
// the real cache adapter. `pause`: stops (forever) between the complete temp file and the rename,
// after saying so on stdout. `loop`: rewrites the sidecar with alternating ids until killed.
import * as E from 'fp-ts/lib/Either.js';
import { diskPluginCache } from '../../../../adapters/driven/plugins/pluginCache.js';
import { parsePluginId } from '../../../../domain/plugins/pluginId.js';

const [codexHome, key, mode, ...ids] = process.argv.slice(2) as [string, string, string, ...string[]];
const id = parsePluginId(key);
if (E.isLeft(id)) throw new Error('bad plugin id');

if (mode === 'pause') {
  const cache = diskPluginCache(codexHome, {
    beforeRename: async (temp) => {
      process.stdout.write(`temp ${temp}\n`);
      // A promise alone does not keep the process alive (it would exit here, racing the kill): a timer does.
      setInterval(() => undefined, 1 << 30);
      await new Promise(() => undefined);
    },
  });
  await cache.writeRemoteId(id.right, ids[0]!)();
} else {
  const cache = diskPluginCache(codexHome);
  process.stdout.write('looping\n');
  for (let i = 0; ; i++) {
    const r = await cache.writeRemoteId(id.right, ids[i % ids.length]!)();
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
  }
}

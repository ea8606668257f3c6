import { expect } from 'chai';
import { engineSources, findRoot, roomArrows, roomOf } from './importGraph.js';

describe('import graph: rooms and floors', () => {
  it('puts every source file of the engine in a room', () => {
    const files = [...engineSources(findRoot()).keys()];
    expect(files.length).to.be.greaterThan(200);
    expect(files.filter((f) => roomOf(f) === undefined)).to.deep.equal([]);
  });

  it('has no arrow from a lower floor to a higher one (drivers → indexer → driven adapters → replay/ → … → domain/)', () => {
    const arrows = roomArrows(engineSources(findRoot()));
    // The floors this issue split apart do talk, downwards only.
    expect(
      arrows.find((a) => a.from === 'adapters/driving/composition' && a.to === 'indexer')?.count,
    ).to.be.greaterThan(0);
    expect(arrows.find((a) => a.from === 'indexer' && a.to === 'adapters/driven')?.count).to.be.greaterThan(0);
    const upward = arrows.filter((a) => a.upward);
    expect(upward, upward.map((a) => `${a.from} -> ${a.to} (${a.count})`).join('\n')).to.deep.equal([]);
  });

  it('finds an upward arrow when there is one (type-only, re-export and dynamic imports included)', () => {
    const sources = new Map([
      [
        'adapters/driven/eventstore/mirror.ts',
        "import type { Progress } from '../../../indexer/catchUp/catchUpOptions.js';\nexport type P = Progress;\n",
      ],
      ['adapters/driven/jsonl/readers/reader.ts', "export { serve } from '../../../driving/rpc/server.js';\n"],
      [
        'indexer/open/openIndex.ts',
        "export const f = () => import('../../adapters/driving/composition/openCodexHome.js');\n",
      ],
      [
        'adapters/driving/composition/openCodexHome.ts',
        "import { open } from '../../../indexer/open/openIndex.js';\nexport const g = open;\n",
      ],
      ['replay/history/readThread.ts', "import { x } from '../../domain/errors.js';\nexport const h = x;\n"],
    ]);
    expect(roomArrows(sources)).to.deep.equal([
      { from: 'adapters/driving/composition', to: 'indexer', count: 1, upward: false },
      { from: 'indexer', to: 'adapters/driving/composition', count: 1, upward: true },
      { from: 'adapters/driven', to: 'adapters/driving/rpc', count: 1, upward: true },
      { from: 'adapters/driven', to: 'indexer', count: 1, upward: true },
      { from: 'replay', to: 'domain', count: 1, upward: false },
    ]);
  });
});

import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import {
  appConnectorIdsOf,
  capabilitySummary,
  manifestRelativePath,
  mcpServerNamesOf,
  pluginManifestPaths,
} from '../../../domain/plugins/capabilitySummary.js';

describe('plugin capability summary (as Codex reads a bundle)', () => {
  it('manifest paths must start with ./ and stay inside the plugin root', () => {
    expect(manifestRelativePath('./skills/')).to.equal('skills');
    expect(manifestRelativePath('./a/./b')).to.equal('a/b');
    for (const bad of ['skills', '/abs', './', './../x', './a/../../b', 3, null])
      expect(manifestRelativePath(bad), String(bad)).to.equal(null);
  });

  it('reads skills (one path or several), mcpServers (path or inline object) and apps from plugin.json', () => {
    expect(
      pluginManifestPaths(JSON.stringify({ name: 'x', skills: './s', mcpServers: './m.json', apps: './a.json' })),
    ).to.deep.equal(E.right({ skills: ['s'], mcpServers: { path: 'm.json' }, apps: 'a.json' }));
    expect(
      pluginManifestPaths(JSON.stringify({ skills: ['./one', 'bad', './two'], mcpServers: { b: {}, a: {} } })),
    ).to.deep.equal(E.right({ skills: ['one', 'two'], mcpServers: { inline: ['b', 'a'] }, apps: null }));
    expect(E.isLeft(pluginManifestPaths('{'))).to.equal(true);
    expect(E.isLeft(pluginManifestPaths('[]'))).to.equal(true);
  });

  it('MCP server names from {"mcpServers": {...}} or a bare map; non-objects are not servers', () => {
    expect(
      mcpServerNamesOf(JSON.stringify({ mcpServers: { docs: { command: 'x' }, search: { url: 'http://x' } } })),
    ).to.deep.equal(['docs', 'search']);
    expect(mcpServerNamesOf(JSON.stringify({ one: { command: 'x' }, junk: 3 }))).to.deep.equal(['one']);
    expect(mcpServerNamesOf('not json')).to.deep.equal([]);
  });

  it('connector ids from {"apps": {key: {id}}} in file order, blank ids dropped; an app without an id voids the file', () => {
    expect(
      appConnectorIdsOf(
        JSON.stringify({
          apps: { drive: { id: 'drive' }, cal: { id: 'calendar', category: 'Productivity' }, blank: { id: '  ' } },
        }),
      ),
    ).to.deep.equal(['drive', 'calendar']);
    expect(appConnectorIdsOf(JSON.stringify({ apps: { drive: { id: 'drive' }, broken: {} } }))).to.deep.equal([]);
    expect(appConnectorIdsOf(JSON.stringify({}))).to.deep.equal([]);
  });

  it('the summary: config and display names from the id, servers sorted and unique, connectors first of each', () => {
    expect(
      capabilitySummary(
        { pluginName: 'docs', marketplaceName: 'local' },
        { hasSkills: true, mcpServerNames: ['b', 'a', 'b'], appConnectorIds: ['y', 'x', 'y'] },
      ),
    ).to.deep.equal({
      configName: 'docs@local',
      displayName: 'docs',
      description: null,
      hasSkills: true,
      mcpServerNames: ['a', 'b'],
      appConnectorIds: ['y', 'x'],
    });
  });
});

import { expect } from 'chai';
import * as nodePath from 'node:path';
import { cacheIndexDirOf, chooseIndexDir } from '../../../../adapters/driving/composition/layout.js';

describe('where a home’s index goes (chooseIndexDir, cacheIndexDirOf)', () => {
  const home = '/audit/alice/.codex';
  const cache = '/home/bob/.cache/rollout-engine/0123456789abcdef';
  const everywhere = () => true;
  const nowhere = () => false;

  it('`--index-dir` as given, writable or not (an unwritable one is an error when opened, never a silent move)', () => {
    expect(chooseIndexDir(home, '/elsewhere/ix', { canWrite: nowhere, cacheDir: () => cache })).to.deep.equal({
      indexDir: '/elsewhere/ix',
    });
    expect(chooseIndexDir(home, 'rel/ix', { canWrite: everywhere, cacheDir: () => cache }).indexDir).to.equal(
      nodePath.resolve('rel/ix'),
    );
  });

  it('the home’s own `.rollout-engine/` when this user can write it', () => {
    const asked: string[] = [];
    const place = chooseIndexDir(home, undefined, { canWrite: (d) => (asked.push(d), true), cacheDir: () => cache });
    expect(place).to.deep.equal({ indexDir: `${home}/.rollout-engine` });
    expect(asked).to.deep.equal([`${home}/.rollout-engine`]);
  });

  it('the per-user cache when it cannot, naming the folder it could not write', () => {
    expect(chooseIndexDir(home, undefined, { canWrite: nowhere, cacheDir: () => cache })).to.deep.equal({
      indexDir: cache,
      unwritable: `${home}/.rollout-engine`,
    });
  });

  it('the cache folder: $XDG_CACHE_HOME (absolute only, as the XDG spec says), else ~/.cache; one folder per home', () => {
    const a = cacheIndexDirOf('/audit/alice/.codex', '/xdg', '/home/bob');
    expect(a).to.match(/^\/xdg\/rollout-engine\/[0-9a-f]{16}$/);
    expect(cacheIndexDirOf('/audit/alice/.codex', undefined, '/home/bob')).to.equal(
      a.replace('/xdg/', '/home/bob/.cache/'),
    );
    expect(cacheIndexDirOf('/audit/alice/.codex', 'relative/xdg', '/home/bob')).to.equal(
      a.replace('/xdg/', '/home/bob/.cache/'),
    );
    expect(cacheIndexDirOf('/audit/alice/.codex', '', '/home/bob')).to.equal(a.replace('/xdg/', '/home/bob/.cache/'));
    expect(cacheIndexDirOf('/audit/carol/.codex', '/xdg', '/home/bob')).to.not.equal(a);
    expect(cacheIndexDirOf('/audit/alice/.codex', '/xdg', '/home/bob')).to.equal(a);
  });
});

import { expect } from 'chai';
import { codexAbsolutePath } from '../../../domain/thread/hostPath.js';
import { codexReadsThreadSettings, codexReadsTurnContext } from '../../../domain/rollout/kinds/turnContext.js';

// The answers codex app-server 0.169.0 gave on Linux (foldRules.compat.spec.ts), its cwd /srv/work, HOME /home/u.
const base = { cwd: '/srv/work', home: '/home/u' };

describe('hostPath: a session meta cwd as Codex on Linux answers it', () => {
  it('joins what is not absolute to the working directory, expands ~ and folds . and ..', () => {
    expect(codexAbsolutePath('D:\\proj', base)).to.equal('/srv/work/D:\\proj');
    expect(codexAbsolutePath('\\\\server\\share\\x', base)).to.equal('/srv/work/\\\\server\\share\\x');
    expect(codexAbsolutePath('proj/x', base)).to.equal('/srv/work/proj/x');
    expect(codexAbsolutePath('~/code', base)).to.equal('/home/u/code');
    expect(codexAbsolutePath('~', base)).to.equal('/home/u');
    expect(codexAbsolutePath('~x/y', base)).to.equal('/srv/work/~x/y');
    expect(codexAbsolutePath('/work/a/../b/./c/', base)).to.equal('/work/b/c');
    expect(codexAbsolutePath('/../a', base)).to.equal('/a');
    expect(codexAbsolutePath('/work/project', base)).to.equal('/work/project');
  });
});

describe('codexReadsTurnContext: the turn contexts Codex 0.169 decodes', () => {
  const ctx = {
    cwd: '/work/project',
    approval_policy: 'never',
    sandbox_policy: { type: 'danger-full-access' },
    model: 'm',
    summary: 'auto',
  };
  it('reads an absolute cwd and a collaboration mode with its settings', () => {
    expect(codexReadsTurnContext(ctx)).to.equal(true);
    expect(codexReadsTurnContext({ ...ctx, collaboration_mode: null })).to.equal(true);
    expect(
      codexReadsTurnContext({
        ...ctx,
        collaboration_mode: { mode: 'custom', settings: { model: 'm', reasoning_effort: null } },
      }),
    ).to.equal(true);
  });
  it('does not read a cwd that is not absolute on the host, nor 0.89 flat collaboration mode', () => {
    for (const cwd of ['D:\\proj', '\\\\server\\share\\x', 'proj/x', '~/code'])
      expect(codexReadsTurnContext({ ...ctx, cwd }), cwd).to.equal(false);
    expect(codexReadsTurnContext({ ...ctx, collaboration_mode: { mode: 'custom' } })).to.equal(false);
    expect(codexReadsTurnContext({ ...ctx, collaboration_mode: { mode: 'solo', settings: { model: 'm' } } })).to.equal(
      false,
    );
    const writable = (writable_roots: unknown) => ({
      ...ctx,
      sandbox_policy: { type: 'workspace-write', writable_roots },
    });
    expect(codexReadsTurnContext(writable(['rel/dir']))).to.equal(false);
    expect(codexReadsTurnContext(writable(['/abs/dir']))).to.equal(true);
  });
});

describe('codexReadsThreadSettings: the thread settings lines Codex 0.169 decodes', () => {
  it('reads absolute cwd and workspace roots, not relative ones', () => {
    const p = { model_provider_id: 'mock' };
    expect(codexReadsThreadSettings({ ...p, cwd: '/abs/x', runtime_workspace_roots: ['/abs/x'] })).to.equal(true);
    expect(codexReadsThreadSettings({ ...p, model: 'm' })).to.equal(true);
    expect(codexReadsThreadSettings({ ...p, cwd: 'rel/x', runtime_workspace_roots: ['/abs/x'] })).to.equal(false);
    expect(codexReadsThreadSettings({ ...p, cwd: '/abs/x', runtime_workspace_roots: ['rel/root'] })).to.equal(false);
  });
  it('does not read settings without their provider (`ThreadSettingsSnapshot.model_provider_id`, a String with no default)', () => {
    expect(codexReadsThreadSettings({ model: 'm', cwd: '/abs/x' })).to.equal(false);
    expect(codexReadsThreadSettings({ model: 'm', model_provider_id: null })).to.equal(false);
    expect(codexReadsThreadSettings({ model: 'm', model_provider_id: '' })).to.equal(true);
  });
});

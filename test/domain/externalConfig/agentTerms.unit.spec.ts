import { expect } from 'chai';
import { rewriteExternalAgentTerms } from '../../../domain/externalConfig/agentTerms.js';

describe("Codex's rewrite of Claude Code's terms in migrated instructions and skills (unit)", () => {
  it('whole words only, ASCII case-insensitive, the file name first', () => {
    expect(rewriteExternalAgentTerms('See CLAUDE.md, claude.md and Claude.MD.')).to.equal(
      'See AGENTS.md, AGENTS.md and AGENTS.md.',
    );
    expect(rewriteExternalAgentTerms('Claude Code, claude-code, CLAUDE_CODE, ClaudeCode and claude.')).to.equal(
      'Codex, Codex, Codex, Codex and Codex.',
    );
    expect(rewriteExternalAgentTerms('notclaude, claude2, _claude, claudes, my_claude_code')).to.equal(
      'notclaude, claude2, _claude, claudes, my_claude_code',
    );
    expect(rewriteExternalAgentTerms('claude')).to.equal('Codex');
    expect(rewriteExternalAgentTerms('éclaude→claude')).to.equal('éCodex→Codex');
    expect(rewriteExternalAgentTerms('nothing to change')).to.equal('nothing to change');
  });
});

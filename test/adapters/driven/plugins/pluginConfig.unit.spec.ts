import { expect } from 'chai';
import { withPluginEnabled, withoutPlugin } from '../../../../adapters/driven/plugins/pluginConfig.js';

const BASE = 'model = "m"\n\n[marketplaces.local-mk]\nsource_type = "local"\nsource = "/mk"\n';

describe('config.toml plugin tables, edited in place', () => {
  it('a new table goes at the end after a blank line, as Codex writes it', () => {
    expect(withPluginEnabled(BASE, 'docs@local-mk', true)).to.equal(
      `${BASE}\n[plugins."docs@local-mk"]\nenabled = true\n`,
    );
    expect(withPluginEnabled('', 'docs@local-mk', true)).to.equal('[plugins."docs@local-mk"]\nenabled = true\n');
  });

  it('an existing table keeps its place and other keys; enabled is set or added', () => {
    const text = `${BASE}\n[plugins."docs@local-mk"]\nenabled = false # off\nextra = 1\n\n[plugins."sheets@local-mk"]\nenabled = true\n`;
    expect(withPluginEnabled(text, 'docs@local-mk', true)).to.equal(
      `${BASE}\n[plugins."docs@local-mk"]\nenabled = true\nextra = 1\n\n[plugins."sheets@local-mk"]\nenabled = true\n`,
    );
    expect(withPluginEnabled(`[plugins."a@b"]\nx = 1\n`, 'a@b', true)).to.equal(
      `[plugins."a@b"]\nenabled = true\nx = 1\n`,
    );
  });

  it('removing a table takes its lines and the blank line before it, nothing else', () => {
    const text = `${BASE}\n[plugins."docs@local-mk"]\nenabled = true\n\n[plugins."sheets@local-mk"]\nenabled = true\n`;
    expect(withoutPlugin(text, 'docs@local-mk')).to.equal(`${BASE}\n[plugins."sheets@local-mk"]\nenabled = true\n`);
    expect(withoutPlugin(text, 'sheets@local-mk')).to.equal(`${BASE}\n[plugins."docs@local-mk"]\nenabled = true\n`);
    expect(withoutPlugin(BASE, 'docs@local-mk')).to.equal(BASE);
  });
});

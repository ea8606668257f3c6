import { expect } from 'chai';
import { jsonLog } from '../../../../adapters/driving/rpc/structuredLog.js';

describe('structuredLog', () => {
  const logged = (
    level: Parameters<typeof jsonLog>[0],
  ): { lines: Array<Record<string, unknown>>; log: ReturnType<typeof jsonLog> } => {
    const lines: Array<Record<string, unknown>> = [];
    const log = jsonLog(
      level,
      { write: (text: string) => lines.push(JSON.parse(text) as Record<string, unknown>) },
      () => new Date(0),
    );
    return { lines, log };
  };

  it('writes the records at the level asked for and above, none below', () => {
    const { lines, log } = logged('warn');
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
    expect(lines.map((l) => [l['level'], l['msg']])).to.deep.equal([
      ['error', 'e'],
      ['warn', 'w'],
    ]);
  });

  it('announces whatever the level: the listening address is written at error too, as Codex prints its banner', () => {
    for (const level of ['error', 'warn', 'info', 'debug'] as const) {
      const { lines, log } = logged(level);
      log.announce('listening', { url: 'ws://127.0.0.1:4222' });
      expect(lines, level).to.deep.equal([
        { time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'listening', url: 'ws://127.0.0.1:4222' },
      ]);
    }
  });
});

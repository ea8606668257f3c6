import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fc from 'fast-check';
import {
  checkTimeZone,
  localDayIn,
  parseInstant,
  systemTimeZone,
} from '../../../../adapters/driven/system/timeZone.js';

/** What the zone and day were before the shortcuts: Intl asked every time. */
const intlDay = (tz: string) => {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (iso: string) => fmt.format(new Date(iso));
};

/**
 * Two names of one zone: equal, or the same offset in January and in July (a zone with summer
 * time differs from a fixed one in one of them). Node 22 and later name TZ=GMT's zone `+00:00`,
 * where Node 20 says `UTC`; systemTimeZone answers `UTC` for it without asking Intl.
 */
const sameZone = (a: string, b: string): boolean => {
  const offsets = (tz: string) =>
    ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z'].map(
      (iso) =>
        new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
          .formatToParts(new Date(iso))
          .find((p) => p.type === 'timeZoneName')?.value,
    );
  return a === b || JSON.stringify(offsets(a)) === JSON.stringify(offsets(b));
};

/** An instant between the years 1 and 9999, written with Z, an offset, or no zone (local). */
const isoInstant = fc
  .tuple(
    fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_000 }),
    fc.constantFrom('Z', '+05:30', '-11:00', ''),
  )
  .map(([ms, zone]) => {
    const z = new Date(ms).toISOString();
    if (zone === 'Z') return z;
    const offsetMin =
      zone === '' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    return `${new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19)}${zone}`;
  });

describe('time zone: the system zone and UTC days without Intl, as Intl answers them', () => {
  it('localDayIn(UTC) gives the day Intl gives for any instant (years 1-9999, any zone written)', () => {
    const ours = localDayIn('UTC');
    const intl = intlDay('UTC');
    fc.assert(
      fc.property(isoInstant, (iso) => {
        expect(ours(iso), iso).to.equal(intl(iso));
      }),
      { numRuns: 2000 },
    );
  });

  it('localDayIn of another zone still formats with Intl (Asia/Kolkata, America/St_Johns)', () => {
    for (const tz of ['Asia/Kolkata', 'America/St_Johns']) {
      const ours = localDayIn(tz);
      const intl = intlDay(tz);
      fc.assert(
        fc.property(isoInstant, (iso) => {
          expect(ours(iso), `${tz} ${iso}`).to.equal(intl(iso));
        }),
      );
    }
  });

  it('checkTimeZone takes UTC and a real zone, and refuses an unknown one', () => {
    expect(checkTimeZone('UTC')).to.deep.equal({ _tag: 'Right', right: 'UTC' });
    expect(checkTimeZone('Europe/Berlin')).to.deep.equal({ _tag: 'Right', right: 'Europe/Berlin' });
    expect(checkTimeZone('Mars/Olympus')._tag).to.equal('Left');
  });

  it('systemTimeZone is the zone Intl resolves, here and in a process with TZ set', () => {
    expect(sameZone(systemTimeZone(), Intl.DateTimeFormat().resolvedOptions().timeZone)).to.equal(true);
    const script = `import('${new URL('../../../../adapters/driven/system/timeZone.js', import.meta.url).href}').then((m) => process.stdout.write(JSON.stringify([m.systemTimeZone(), Intl.DateTimeFormat().resolvedOptions().timeZone])))`;
    for (const tz of [
      'Asia/Kolkata',
      'Etc/UTC',
      'UTC',
      'GMT',
      'Zulu',
      'Etc/UCT',
      'Etc/Universal',
      'Etc/GMT',
      'UCT',
      'Universal',
      'Etc/Zulu',
      '',
    ]) {
      const [ours, intl] = JSON.parse(
        execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' }),
      ) as [string, string];
      expect(sameZone(ours, intl), `TZ=${tz}: ours ${ours}, Intl's ${intl}`).to.equal(true);
    }
  });

  it('sameZone tells a zone from another that agrees with it for half the year (so the test above can fail)', () => {
    expect(sameZone('UTC', 'Etc/GMT')).to.equal(true);
    expect(sameZone('UTC', 'Europe/London')).to.equal(false);
    expect(sameZone('UTC', 'Australia/Sydney')).to.equal(false);
    expect(sameZone('UTC', 'Asia/Kolkata')).to.equal(false);
  });

  it('parseInstant: any instant written with Z or an offset reads as Date reads it; a day, month, hour, minute or offset out of the calendar is refused, never carried over', () => {
    fc.assert(
      // Four-digit years: what the bounds are written with (`+010000-…` is refused).
      fc.property(
        isoInstant.filter((iso) => /^\d{4}-/.test(iso)),
        (iso) => {
          const r = parseInstant('--since', iso, 'UTC');
          expect(r._tag === 'Right' && r.right).to.equal(
            new Date(iso.endsWith('Z') || /[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`).getTime(),
          );
        },
      ),
      { numRuns: 2_000 },
    );
    for (const bad of [
      '2026-13-45',
      '2026-00-10',
      '2026-02-29',
      '2026-04-31',
      '2026-11-21T24:00',
      '2026-11-21T10:60:00Z',
      '2026-11-21T10:00:61Z',
      '2026-11-21T10:00:00+24:00',
    ]) {
      const r = parseInstant('--since', bad, 'Europe/Paris');
      expect(r._tag === 'Left' && r.left._tag === 'InvalidArgument' && r.left.reason, bad).to.match(/^not a date: /);
    }
    const leap = parseInstant('--since', '2024-02-29', 'UTC');
    expect(leap._tag === 'Right' && new Date(leap.right).toISOString()).to.equal('2024-02-29T00:00:00.000Z');
  });
});

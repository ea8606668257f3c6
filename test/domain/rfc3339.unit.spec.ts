// A meta's time as Codex's state DB reads it (codex-rs rollout/src/metadata.rs `parse_timestamp_to_utc`:
// the file name's form, else chrono's RFC 3339), and RFC 3339 as chrono reads it.
import { expect } from 'chai';
import fc from 'fast-check';
import { codexMetaTimestampMs, rfc3339Ms } from '../../domain/rfc3339.js';

describe('rfc3339 · a meta time as Codex reads it', () => {
  it('reads RFC 3339 (T, t or a space; Z, z or an offset; any fraction) and the file name form as UTC', () => {
    const at = Date.UTC(2026, 10, 21, 14, 0, 0);
    expect(codexMetaTimestampMs('2026-11-21T14:00:00Z')).to.equal(at);
    expect(codexMetaTimestampMs('2026-11-21t14:00:00.123456z')).to.equal(at + 123);
    expect(codexMetaTimestampMs('2026-11-21 16:00:00+02:00')).to.equal(at);
    expect(codexMetaTimestampMs('2026-11-21T14-00-00')).to.equal(at);
  });

  it('refuses what chrono refuses, though Date.parse reads some of it: no zone, a date alone, a day the month lacks, a path, empty', () => {
    for (const text of [
      '2026-11-21T14:00:00',
      '2026-11-21',
      '2026-02-30T00:00:00Z',
      'Nov 21 2026',
      'C:\\Users\\dev\\project',
      '',
      ' 2026-11-21T14:00:00Z',
      '2026-11-21T14-00-00Z',
      '2026-11-21T24:00:00Z',
      '2026-11-21T14:60:00Z',
      '2026-11-21T14:00:61Z',
      '2026-11-21T14:00:00+24:00',
      '2026-11-21T14:00:00+02:60',
      '2025-02-29T00:00:00Z',
    ])
      expect(codexMetaTimestampMs(text), text).to.equal(undefined);
    expect(codexMetaTimestampMs(null)).to.equal(undefined);
    expect(codexMetaTimestampMs(undefined)).to.equal(undefined);
  });

  it('reads second 60 as a leap second (the next minute), an offset up to 23:59, and a year below 100 as written (measured on 0.169.0: paginatedTimestamps.compat)', () => {
    expect(rfc3339Ms('2026-11-21T14:00:60Z')).to.equal(Date.UTC(2026, 10, 21, 14, 1, 0));
    expect(rfc3339Ms('2026-11-21T14:00:00-23:59')).to.equal(Date.UTC(2026, 10, 22, 13, 59, 0));
    expect(rfc3339Ms('2024-02-29T00:00:00.0123456789Z')).to.equal(Date.UTC(2024, 1, 29) + 12);
    expect(rfc3339Ms('0050-01-01T00:00:00Z')).to.equal(new Date('0050-01-01T00:00:00Z').getTime());
  });

  it('reads back every instant written as ISO 8601 UTC', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }),
        (d) => {
          expect(rfc3339Ms(d.toISOString())).to.equal(d.getTime());
        },
      ),
    );
  });
});

// The Inspector shows each series version's event-time span from the pond's log: in UTC, to the
// minute (seconds when not zero), and a bound outside Date's range (a stranger's log) as a number
// instead of throwing.
import { describe, it, expect } from 'vitest';
import { formatUtcTime } from '../../src/ui/common/format.ts';

describe('formatUtcTime', () => {
  it('shows data times in UTC, seconds only when set', () => {
    expect(formatUtcTime(Date.UTC(2010, 0, 1, 1))).toBe('2010-01-01 01:00 UTC');
    expect(formatUtcTime(Date.UTC(2024, 5, 15, 23, 59, 7))).toBe('2024-06-15 23:59:07 UTC');
  });

  it('does not throw on a bound no date can hold', () => {
    expect(formatUtcTime(1e20)).toBe('100000000000000000000');
    expect(formatUtcTime(Number.NaN)).toBe('NaN');
  });
});

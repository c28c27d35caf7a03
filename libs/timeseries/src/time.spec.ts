import { describe, expect, it } from '@jest/globals';
import { formatTime, parseDuration, parseTime } from './time';

describe('time', () => {
  it.each([
    ['2026-11-21T00:00:00Z', 1_795_219_200_000_000_000n],
    ['2026-11-21T00:00:00.5Z', 1_795_219_200_500_000_000n],
    ['2026-11-21T00:00:00.000000001Z', 1_795_219_200_000_000_001n],
    ['2026-11-21T01:00:00+01:00', 1_795_219_200_000_000_000n],
    ['1795219200000000000', 1_795_219_200_000_000_000n],
  ])('parses %s', (text, ns) => {
    expect(parseTime(text)).toBe(ns);
  });

  it.each(['yesterday', '2026-11-21', '2026-11-21T00:00:00', '2026-13-45T00:00:00Z'])(
    'rejects %s',
    (text) => {
      expect(parseTime(text)).toBeNull();
    },
  );

  it.each([
    ['10s', 10_000_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['500ms', 500_000_000n],
    ['1d', 86_400_000_000_000n],
  ])('parses the duration %s', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it.each(['', '10', '1x', 'h1'])('rejects the duration %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('formats with nanoseconds only when present, round-tripping', () => {
    expect(formatTime(1_795_219_200_000_000_000n)).toBe('2026-11-21T00:00:00.000Z');
    expect(formatTime(1_795_219_200_123_456_789n)).toBe('2026-11-21T00:00:00.123456789Z');
    expect(parseTime(formatTime(1_795_219_200_123_456_789n))).toBe(1_795_219_200_123_456_789n);
  });
});

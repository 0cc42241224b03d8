// Unit tests of the extension's pure quota logic (apps/extension/lib/quota.js), with node's test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowsOf, level, formatAmount, formatReset, crossings, keyOf } from '../../apps/extension/lib/quota.js';

const row = (provider, fraction, extra = {}) => ({
  provider, account: 'default', pool: provider, dimension: 'requests', window: 'day', used: fraction * 1000,
  limit: 1000, remaining: 1000 - fraction * 1000, fraction, resets_at: '2026-11-27T00:00:00Z', ...extra,
});

test('colour levels change at 80 % and 95 %', () => {
  assert.equal(level(0.79), 'ok');
  assert.equal(level(0.8), 'warn');
  assert.equal(level(0.9499), 'warn');
  assert.equal(level(0.95), 'crit');
  assert.equal(level(1.2), 'crit');
  assert.equal(level(null), 'unknown');
});

test('rows come most used first; fraction is derived when missing', () => {
  const rows = rowsOf({ quotas: [row('a', 0.1), row('b', 0.9), { ...row('c', 0), fraction: undefined, used: 500 }, { bad: 1 }] });
  assert.deepEqual(rows.map((r) => r.provider), ['b', 'c', 'a']);
  assert.equal(rows[1].fraction, 0.5);
  assert.deepEqual(rowsOf(null), []);
});

test('amounts are short, storage in binary units', () => {
  assert.equal(formatAmount(150, 'requests'), '150');
  assert.equal(formatAmount(1000, 'requests'), '1k');
  assert.equal(formatAmount(96000, 'requests'), '96k');
  assert.equal(formatAmount(2500000, 'tokens'), '2.5M');
  assert.equal(formatAmount(8 * 1024 ** 3, 'storage'), '8 GiB');
  assert.equal(formatAmount(null, 'requests'), '–');
});

test('reset times are relative', () => {
  const now = Date.parse('2026-11-26T00:00:00Z');
  assert.equal(formatReset('2026-11-26T00:00:30Z', now), 'in < 1 min');
  assert.equal(formatReset('2026-11-26T00:12:00Z', now), 'in 12 min');
  assert.equal(formatReset('2026-11-26T03:05:00Z', now), 'in 3 h 05 min');
  assert.equal(formatReset('2026-11-25T23:00:00Z', now), 'now');
  assert.equal(formatReset(null, now), '');
});

test('a crossing is announced once per window and re-armed when the window resets', () => {
  let state = {};
  let r = crossings([row('groq', 0.85)], 90, state);
  assert.equal(r.crossed.length, 0);
  r = crossings([row('groq', 0.93)], 90, r.notified);
  assert.deepEqual(r.crossed.map((x) => x.provider), ['groq']);
  state = r.notified;
  r = crossings([row('groq', 0.97)], 90, state);
  assert.equal(r.crossed.length, 0, 'still above: not again');
  r = crossings([row('groq', 0.95, { resets_at: '2026-11-28T00:00:00Z' })], 90, state);
  assert.equal(r.crossed.length, 1, 'a new window: announced again');
  r = crossings([row('groq', 0.5)], 90, state);
  assert.equal(Object.keys(r.notified).length, 0, 'back under: re-armed');
  assert.equal(keyOf(row('groq', 1)), 'groq|default|groq|requests|day');
});

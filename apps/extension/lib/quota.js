// Pure functions over `helios quota --json` (docs/schemas/quota.schema.json): rows, levels, formatting
// and threshold crossings. No chrome.* here, so the popup and the service worker share them.

export const WARN = 0.8;  // amber from 80 %
export const CRIT = 0.95; // red from 95 %

export const DEFAULT_OPTIONS = Object.freeze({ threshold: 90, intervalMinutes: 5, notify: true });

// The quota rows, most used first.
export function rowsOf(doc) {
  const list = Array.isArray(doc?.quotas) ? doc.quotas : [];
  return list
    .filter((r) => r && typeof r === 'object' && r.provider && r.dimension)
    .map((r) => ({ ...r, fraction: fractionOf(r) }))
    .sort((a, b) => (b.fraction ?? -1) - (a.fraction ?? -1) || keyOf(a).localeCompare(keyOf(b)));
}

export function fractionOf(row) {
  if (typeof row.fraction === 'number' && Number.isFinite(row.fraction)) return row.fraction;
  if (typeof row.limit === 'number' && row.limit > 0 && typeof row.used === 'number') return row.used / row.limit;
  return null;
}

export function keyOf(row) {
  return [row.provider, row.account || 'default', row.pool || '', row.dimension, row.window || ''].join('|');
}

export function level(fraction) {
  if (fraction == null) return 'unknown';
  if (fraction >= CRIT) return 'crit';
  if (fraction >= WARN) return 'warn';
  return 'ok';
}

const BYTE_DIMENSIONS = /storage|memory|egress|bandwidth|bytes|disk/i;

// 1234567 → "1.23M"; storage-like dimensions as bytes (GiB, MiB).
export function formatAmount(value, dimension = '') {
  if (value == null || !Number.isFinite(value)) return '–';
  if (BYTE_DIMENSIONS.test(dimension)) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = value;
    let u = 0;
    while (Math.abs(v) >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return `${trim(v)} ${units[u]}`;
  }
  const steps = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, suffix] of steps) {
    if (Math.abs(value) >= size) return `${trim(value / size)}${suffix}`;
  }
  return trim(value);
}

function trim(v) {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

// "in 3 h 05 min", "in 12 min", "now"; '' when unknown.
export function formatReset(iso, now = Date.now()) {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return '';
  if (at - now <= 0) return 'now';
  if (at - now < 60000) return 'in < 1 min';
  const minutes = Math.round((at - now) / 60000);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `in ${Math.round(hours / 24)} days`;
}

export function windowLabel(window) {
  return { second: 's', minute: 'min', hour: 'h', day: 'day', week: 'week', month: 'month', static: 'total' }[window] || window || '';
}

// Rows whose use reached `thresholdPercent` and were not yet announced in this window. `notified` maps
// a row's key to the window (resets_at) it was announced in; the result carries the new map, where rows
// back under the threshold or in a new window are re-armed.
export function crossings(rows, thresholdPercent, notified = {}) {
  const limit = thresholdPercent / 100;
  const next = {};
  const crossed = [];
  for (const row of rows) {
    const key = keyOf(row);
    const windowId = row.resets_at || row.window_start || 'static';
    if (row.fraction == null || row.fraction < limit) continue;
    if (notified[key] !== windowId) crossed.push(row);
    next[key] = windowId;
  }
  return { crossed, notified: next };
}

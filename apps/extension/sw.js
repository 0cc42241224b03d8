// The service worker: polls the local helios on an alarm, keeps the last answer for the popup, shows
// the most used quota on the badge, and raises a notification when a quota crosses the user's threshold.
import { request, HostError } from './lib/host.js';
import { rowsOf, crossings, level, formatAmount, formatReset, windowLabel, DEFAULT_OPTIONS } from './lib/quota.js';

const ALARM = 'helios-poll';

async function options() {
  const { options: stored } = await chrome.storage.local.get('options');
  return { ...DEFAULT_OPTIONS, ...(stored || {}) };
}

// Alarms do not survive every restart of the worker: recreate on each start (chrome.alarms docs).
async function ensureAlarm() {
  const { intervalMinutes } = await options();
  const period = Math.max(0.5, Number(intervalMinutes) || DEFAULT_OPTIONS.intervalMinutes);
  const existing = await chrome.alarms.get(ALARM);
  if (!existing || existing.periodInMinutes !== period) {
    await chrome.alarms.create(ALARM, { delayInMinutes: Math.min(period, 1), periodInMinutes: period });
  }
}

const BADGE_COLOUR = { ok: '#15803d', warn: '#b45309', crit: '#b91c1c', unknown: '#475569' };

async function showBadge(rows) {
  const top = rows.find((r) => r.fraction != null);
  if (!top) {
    await chrome.action.setBadgeText({ text: '' });
    return;
  }
  await chrome.action.setBadgeText({ text: `${Math.min(999, Math.round(top.fraction * 100))}` });
  await chrome.action.setBadgeBackgroundColor({ color: BADGE_COLOUR[level(top.fraction)] });
}

async function notify(row, threshold) {
  const percent = Math.round(row.fraction * 100);
  const reset = formatReset(row.resets_at);
  await chrome.notifications.create(`helios:${row.provider}|${row.account || 'default'}|${row.dimension}|${row.window || ''}`, {
    type: 'basic',
    iconUrl: 'icons/icon128.png',
    title: `${row.provider}: ${row.dimension} at ${percent} %`,
    message: `${formatAmount(row.remaining, row.dimension)} ${row.dimension} left this ${windowLabel(row.window)}` +
      (reset ? `, resets ${reset}` : '') + ` (your threshold: ${threshold} %).`,
    priority: row.fraction >= 0.95 ? 2 : 1,
  });
}

// One poll: ask the host, store the result, update the badge, notify crossings. Returns what it stored.
export async function poll() {
  const opts = await options();
  let snapshot;
  try {
    const quota = await request('quota');
    const rows = rowsOf(quota);
    snapshot = { at: new Date().toISOString(), quota, error: null };
    await showBadge(rows);
    const { notified } = await chrome.storage.local.get('notified');
    const result = crossings(rows, opts.threshold, notified || {});
    if (opts.notify) {
      for (const row of result.crossed) await notify(row, opts.threshold);
    }
    await chrome.storage.local.set({ notified: result.notified });
  } catch (e) {
    const kind = e instanceof HostError ? e.kind : 'error';
    snapshot = { at: new Date().toISOString(), quota: null, error: { kind, message: String(e.message || e), hint: e.hint || '' } };
    await chrome.action.setBadgeText({ text: kind === 'missing' ? '?' : '!' });
    await chrome.action.setBadgeBackgroundColor({ color: BADGE_COLOUR.unknown });
  }
  await chrome.storage.local.set({ last: snapshot });
  return snapshot;
}

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) poll();
});
chrome.runtime.onInstalled.addListener(() => { ensureAlarm(); poll(); });
chrome.runtime.onStartup.addListener(() => { ensureAlarm(); poll(); });
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.options) ensureAlarm();
});
chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.type === 'poll-now') {
    poll().then(sendResponse);
    return true;  // answers asynchronously
  }
  return false;
});
chrome.notifications.onClicked.addListener((id) => {
  chrome.notifications.clear(id);
  if (chrome.action.openPopup) chrome.action.openPopup().catch(() => {});
});

ensureAlarm();
// For the end-to-end test and the devtools console: run one poll now.
globalThis.heliosPoll = poll;

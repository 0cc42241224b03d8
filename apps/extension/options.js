import { DEFAULT_OPTIONS } from './lib/quota.js';

const $ = (id) => document.getElementById(id);

async function load() {
  const { options } = await chrome.storage.local.get('options');
  const o = { ...DEFAULT_OPTIONS, ...(options || {}) };
  $('threshold').value = o.threshold;
  $('interval').value = o.intervalMinutes;
  $('notify').checked = o.notify;
}

$('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!$('form').reportValidity()) return;
  const options = {
    threshold: Math.min(100, Math.max(1, Number($('threshold').value))),
    intervalMinutes: Math.max(0.5, Number($('interval').value)),
    notify: $('notify').checked,
  };
  // A new threshold re-arms the alerts, so quotas already above it are announced again.
  await chrome.storage.local.set({ options, notified: {} });
  $('saved').textContent = 'Saved.';
});

load();

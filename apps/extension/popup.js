// The popup: quota rows with bars, the stacks and where their workloads run, the last rotations.
// Everything comes from the local helios through the native host; nothing here changes anything.
import { request, installCommand } from './lib/host.js';
import { rowsOf, level, formatAmount, formatReset, windowLabel } from './lib/quota.js';

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'style') node.setAttribute('style', v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child == null || child === '') continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function quotaRow(row) {
  const pct = row.fraction == null ? null : Math.round(row.fraction * 100);
  const lvl = level(row.fraction);
  const win = windowLabel(row.window);
  const account = row.account && row.account !== 'default' ? ` (${row.account})` : '';
  const reset = formatReset(row.resets_at);
  const left = row.remaining == null ? 'limit unknown' : `${formatAmount(row.remaining, row.dimension)} left of ${formatAmount(row.limit, row.dimension)}`;
  const flag = lvl === 'crit' ? el('span', { class: 'flag' }, 'almost out') : lvl === 'warn' ? el('span', { class: 'flag' }, 'high') : null;
  const label = `${row.provider}${account}, ${row.dimension} per ${win}: ${pct == null ? 'unknown' : pct + ' percent'} used, ${left}` + (reset ? `, resets ${reset}` : '');
  return el('li', { class: `row lvl-${lvl}`, tabindex: '0', 'aria-label': label, 'data-key': `${row.provider}/${row.dimension}/${row.window}` },
    el('div', { class: 'line' },
      el('span', { class: 'name' }, el('b', {}, row.provider), account, ` · ${row.dimension} / ${win}`, flag),
      el('span', { class: 'pct' }, pct == null ? '–' : `${pct} %`)),
    el('div', { class: 'bar', role: 'progressbar', 'aria-hidden': 'true' },
      el('span', { style: `width:${Math.min(100, pct ?? 0)}%` })),
    el('div', { class: 'meta' }, el('span', {}, left), el('span', {}, reset ? `resets ${reset}` : '')));
}

function showQuota(doc) {
  const all = rowsOf(doc);
  // Windows tracked without a known limit (e.g. a month counter next to a daily quota) have no bar.
  const rows = all.filter((r) => r.fraction != null);
  const unbounded = all.filter((r) => r.fraction == null);
  const list = $('quota');
  list.replaceChildren(...rows.map(quotaRow));
  if (all.length === 0) list.append(el('li', { class: 'muted' }, 'No quota recorded yet: run helios place, helios rotate or helios quota record.'));
  if (unbounded.length) {
    list.append(el('li', { class: 'muted unbounded', id: 'unbounded' }, 'Also counted, no known limit: ',
      unbounded.map((r) => `${r.provider} ${r.dimension}/${windowLabel(r.window)} ${formatAmount(r.used, r.dimension)}`).join(', ')));
  }
  const high = rows.filter((r) => level(r.fraction) !== 'ok').length;
  $('quota-summary').textContent = rows.length ? `· ${rows.length} tracked${high ? `, ${high} high` : ''}` : '';
  $('quota-section').hidden = false;
  showRotations(Array.isArray(doc?.rotations) ? doc.rotations : []);
}

function clock(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

function showRotations(rotations) {
  const list = $('rotations');
  list.replaceChildren(...rotations.slice(0, 5).map((r) =>
    el('li', { tabindex: '0' },
      el('time', { datetime: r.at }, clock(r.at)),
      el('span', {}, el('b', {}, r.workload || '?'), ' ', r.from || '–', ' → ',
        r.granted === false ? el('span', { class: 'denied' }, 'none available') : (r.to || '–')),
      el('span', { class: 'muted' }, r.reason || ''))));
  if (rotations.length === 0) list.append(el('li', { class: 'muted' }, 'No rotation yet.'));
  $('rotations-section').hidden = false;
}

function workloadsOf(stack) {
  const w = stack.workloads;
  if (Array.isArray(w)) return w;
  if (w && typeof w === 'object') return Object.entries(w).map(([name, v]) => ({ name, ...v }));
  return [];
}

function showStacks(doc) {
  const stacks = Array.isArray(doc) ? doc : Array.isArray(doc?.stacks) ? doc.stacks : [];
  const box = $('stacks');
  box.replaceChildren(...stacks.map((s) =>
    el('div', { class: 'stack', tabindex: '0' },
      el('h3', {}, el('span', {}, s.name || s.stack || '?'), el('span', { class: 'muted' }, s.status || '')),
      el('ul', {}, workloadsOf(s).map((w) =>
        el('li', {}, el('span', {}, w.name, el('span', { class: 'muted' }, w.kind ? ` ${w.kind}` : '')),
          el('span', {}, [w.offering || w.provider, w.region].filter(Boolean).join(' · ') || 'not placed',
            w.status ? el('span', { class: 'muted' }, ` ${w.status}`) : null)))))));
  if (stacks.length === 0) box.append(el('p', { class: 'muted' }, 'No stack applied yet.'));
  $('stacks-section').hidden = false;
}

function showFailure(error) {
  if (error.kind === 'missing' || error.kind === 'forbidden') {
    $('install-command').textContent = installCommand();
    $('install').hidden = false;
    if (error.kind === 'forbidden') {
      $('install').querySelector('p').textContent =
        'The installed helios host does not allow this extension. Reinstall it for this browser:';
    }
    return;
  }
  $('failure-message').textContent = error.message;
  $('failure-hint').textContent = error.hint || '';
  $('failure').hidden = false;
}

async function load() {
  for (const id of ['install', 'failure', 'quota-section', 'stacks-section', 'rotations-section']) $(id).hidden = true;
  $('main').setAttribute('aria-busy', 'true');
  $('loading').hidden = false;
  const [quota, status] = await Promise.allSettled([request('quota'), request('status')]);
  $('loading').hidden = true;
  if (quota.status === 'fulfilled') {
    showQuota(quota.value);
  } else {
    showFailure(quota.reason);
  }
  if (status.status === 'fulfilled') {
    showStacks(status.value);
  } else if (quota.status === 'fulfilled') {
    $('stacks').replaceChildren(el('p', { class: 'muted' }, `No stack status: ${status.reason.message}`));
    $('stacks-section').hidden = false;
  }
  const where = quota.status === 'fulfilled' && quota.value?.state ? ` · state ${quota.value.state}` : '';
  $('updated').textContent = quota.status === 'fulfilled'
    ? `Updated ${new Date().toLocaleTimeString([], { hourCycle: 'h23' })}${where}` : '';
  $('main').setAttribute('aria-busy', 'false');
  document.body.dataset.state = quota.status === 'fulfilled' ? 'ready' : (quota.reason.kind || 'error');
}

$('refresh').addEventListener('click', load);
$('options').addEventListener('click', () => chrome.runtime.openOptionsPage());
$('copy').addEventListener('click', async () => {
  await navigator.clipboard.writeText($('install-command').textContent);
  $('copy').textContent = 'Copied';
});
document.addEventListener('keydown', (e) => {
  if ((e.key === 'r' || e.key === 'R') && !e.ctrlKey && !e.metaKey && !e.altKey) load();
});
load();

// The companion extension in a real browser (run by tests/e2e/extension.sh, which prepares everything):
// Debian's Chromium, headless, with the unpacked extension and a fresh profile whose NativeMessagingHosts
// holds the manifest `helios extension install-host` wrote. The popup reads quota through the real
// `helios native-host`; crossing the threshold raises a notification; without the host, the popup
// shows the install command. Writes a screenshot of the popup.
//
// Environment: HELIOS, EXT_DIR, PROFILE_DIR, STATE_DIR, SCREENSHOT_DIR, EXPECT_ID, PLAYWRIGHT (module path).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const env = process.env;
const require = createRequire(import.meta.url);
const { chromium } = require(env.PLAYWRIGHT);

let passed = 0;
let failed = 0;
function check(ok, what, detail = '') {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.error(`FAIL: ${what}${detail ? `: ${detail}` : ''}`);
  }
}

// What `helios quota --json` says about the state directory extension.sh prepared.
const helios = (...args) => execFileSync(env.HELIOS, ['--state', env.STATE_DIR, ...args], { encoding: 'utf8' });
const quotaDoc = JSON.parse(helios('--json', 'quota'));
const withLimit = quotaDoc.quotas.filter((q) => q.limit != null);

const context = await chromium.launchPersistentContext(env.PROFILE_DIR, {
  executablePath: '/usr/bin/chromium',
  headless: false,  // the headless mode is chosen explicitly below: --headless=new
  ignoreDefaultArgs: ['--disable-extensions'],
  viewport: { width: 400, height: 560 },
  args: [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--disable-extensions-except=${env.EXT_DIR}`, `--load-extension=${env.EXT_DIR}`,
  ],
});
const timer = setTimeout(() => { console.error('FAIL: the browser test timed out'); process.exit(1); }, 90000);

try {
  let [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 20000 });
  const id = new URL(worker.url()).host;
  check(id === env.EXPECT_ID, 'the extension id derives from the manifest key', `${id} != ${env.EXPECT_ID}`);

  // 1. The popup shows the quota of the state directory, through the real host.
  const page = await context.newPage();
  await page.goto(`chrome-extension://${id}/popup.html`);
  await page.waitForSelector('body[data-state]', { timeout: 20000 });
  const state = await page.getAttribute('body', 'data-state');
  check(state === 'ready', 'the popup connects to helios', `${state}: ${await page.textContent('main')}`);
  const rows = await page.$$eval('#quota li.row', (lis) => lis.map((li) => ({
    key: li.dataset.key, cls: li.className, text: li.innerText, label: li.getAttribute('aria-label'),
    width: li.querySelector('.bar > span')?.style.width,
  })));
  check(rows.length === withLimit.length && withLimit.length === 3, 'one row per provider, dimension and window with a limit',
    JSON.stringify(rows.map((r) => r.key)));
  const unbounded = await page.textContent('#unbounded');
  check(/no known limit: .*groq requests\/month 850/.test(unbounded), 'windows without a limit are listed apart', unbounded);
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
  const cf = byKey['cloudflare/requests/day'];
  const groq = byKey['groq/requests/day'];
  const gemini = byKey['gemini/requests/day'];
  check(rows[0]?.key === 'cloudflare/requests/day', 'the most used quota comes first', rows[0]?.key);
  check(cf?.cls.includes('lvl-crit') && cf.text.includes('96 %'), 'red at 95 % and above', cf?.cls);
  check(groq?.cls.includes('lvl-warn') && groq.text.includes('85 %'), 'amber from 80 %', groq?.cls);
  check(gemini?.cls.includes('lvl-ok') && gemini.width === '30%', 'green below 80 %, bar width = use', `${gemini?.cls} ${gemini?.width}`);
  check(groq?.text.includes('150 left of 1k') && /resets in \d+ (h|min)/.test(groq.text), 'remaining amount and reset time', groq?.text);
  check(/groq, requests per day: 85 percent used/.test(groq?.label || ''), 'rows are labelled for screen readers', groq?.label);
  const stacksText = await page.textContent('#stacks');
  check(stacksText.includes('hobby') && stacksText.includes('local/database'), 'stacks and where their workloads run', stacksText);
  const rotationItems = await page.$$eval('#rotations li', (lis) => lis.map((li) => li.innerText));
  if (quotaDoc.rotations.length === 0) {
    check(rotationItems.length === 1 && rotationItems[0] === 'No rotation yet.', 'no rotation recorded, none shown', rotationItems);
  } else {
    const r = quotaDoc.rotations[0];
    check(rotationItems.length === Math.min(5, quotaDoc.rotations.length) && rotationItems[0].includes(r.workload) &&
      rotationItems[0].includes(r.reason), 'the last rotations, newest first', JSON.stringify(rotationItems));
  }

  // Keyboard: Tab reaches the buttons and the rows; R refreshes.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.id) === 'refresh', 'Tab reaches Refresh first');
  for (let i = 0; i < 2; i++) await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.classList.contains('row')), 'Tab reaches the quota rows');

  fs.mkdirSync(env.SCREENSHOT_DIR, { recursive: true });
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: path.join(env.SCREENSHOT_DIR, 'extension-popup.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(darkBg === 'rgb(15, 23, 42)', 'dark colours under prefers-color-scheme: dark', darkBg);
  await page.screenshot({ path: path.join(env.SCREENSHOT_DIR, 'extension-popup-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // 2. Crossing the threshold (options page: 90 %) raises a notification, once.
  const options = await context.newPage();
  await options.goto(`chrome-extension://${id}/options.html`);
  await options.fill('#threshold', '90');
  await options.click('button[type=submit]');
  await options.waitForSelector('#saved:text("Saved.")');
  const notificationIds = () => worker.evaluate(() => new Promise((r) => chrome.notifications.getAll((n) => r(Object.keys(n).sort()))));
  await worker.evaluate(() => globalThis.heliosPoll());
  let shown = await notificationIds();
  check(shown.some((n) => n.startsWith('helios:cloudflare')), 'a quota above the threshold is announced', JSON.stringify(shown));
  check(!shown.some((n) => n.startsWith('helios:groq')), 'a quota below the threshold (85 % < 90 %) is not', JSON.stringify(shown));

  helios('quota', 'record', '--provider', 'groq', 'requests=80');  // 930 of 1000: 93 %
  const polled = await worker.evaluate(() => globalThis.heliosPoll());
  check(polled.error === null, 'the service worker polls through the host', JSON.stringify(polled.error));
  shown = await notificationIds();
  check(shown.some((n) => n.startsWith('helios:groq')), 'groq crossing 90 % raises a notification', JSON.stringify(shown));
  const badge = await worker.evaluate(() => chrome.action.getBadgeText({}));
  check(badge === '96', 'the badge shows the highest use', badge);

  // 3. Without the host, the popup says which command installs it.
  execFileSync(env.HELIOS, ['extension', 'uninstall-host', '--user-data-dir', env.PROFILE_DIR], { stdio: 'ignore' });
  await page.reload();
  await page.waitForSelector('body[data-state]', { timeout: 20000 });
  check(await page.getAttribute('body', 'data-state') === 'missing', 'the popup notices the missing host');
  const hint = await page.textContent('#install-command');
  check(hint === 'helios extension install-host --browser chromium', 'the popup shows the install command', hint);
  check(await page.isVisible('#install'), 'the install hint is visible');
  await page.screenshot({ path: path.join(env.SCREENSHOT_DIR, 'extension-popup-no-host.png'), fullPage: true });
} catch (e) {
  failed++;
  console.error(`FAIL: ${e.stack || e}`);
} finally {
  clearTimeout(timer);
  await context.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

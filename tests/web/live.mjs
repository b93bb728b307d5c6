// The page against an independent CSMS (tests/web/csms.py, PyPI `ocpp`) over a real
// WebSocket: connect, plug, tap, charge, then reload the tab mid-transaction (a power
// cycle of the box) and check the CSMS got every transaction message exactly once.
// Usage: node tests/web/live.mjs PAGE_URL CSMS_WS_URL CSMS_LOG
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.PLAYWRIGHT_CORE ?? import.meta.url);
const { chromium } = require('playwright-core');
const [page_url, csms_url, log] = process.argv.slice(2);
const fail = (msg) => { console.error(`live: FAIL: ${msg}`); process.exit(1); };
const check = (ok, msg) => { if (!ok) fail(msg); console.log(`live: ok   ${msg}`); };
const received = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const count = (action) => received().filter((r) => r.action === action).length;
const waitFor = async (what, cond, ms = 15000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (cond()) return; await new Promise((r) => setTimeout(r, 100)); }
  fail(`timed out waiting for ${what}`);
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto(page_url);
  await page.waitForSelector('#csms-url');
  await page.fill('#csms-url', csms_url.replace(/\/?$/, ''));
  await page.click('#connect');
  check((await page.textContent('#url-error')).includes('end with'), 'a URL without the trailing / is refused with a reason');
  await page.fill('#csms-url', csms_url);
  await page.fill('#cp-id', 'TC-LIVE-0001');
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#link').textContent.includes('connected to'));
  await waitFor('BootNotification at the CSMS', () => count('BootNotification') === 1);
  // Accepted: the box reports connector 0 and 1.
  await waitFor('the statuses after acceptance', () => count('StatusNotification') >= 2);
  check(true, 'connected with subprotocol ocpp1.6 and booted');

  await page.click('text=60×');
  await page.click('#plug');
  await page.click('text=Tap 04A2B3C4D5');
  await waitFor('StartTransaction at the CSMS', () => count('StartTransaction') === 1);
  check(true, 'the CSMS got the StartTransaction');
  await page.waitForTimeout(2000);

  await page.reload();
  await page.waitForFunction(() => document.querySelector('#link')?.textContent.includes('connected to'));
  await waitFor('the second boot', () => count('BootNotification') === 2);
  await waitFor('StopTransaction after the reload', () => count('StopTransaction') >= 1);
  await page.waitForTimeout(2000);
  const stops = received().filter((r) => r.action === 'StopTransaction');
  check(stops.length === 1, `exactly one StopTransaction (${stops.length})`);
  check(stops[0].payload.reason === 'PowerLoss', `the reload is a power cut: reason ${stops[0].payload.reason}`);
  check(stops[0].payload.transaction_id === 1, 'for the transaction the CSMS numbered');
  check(count('StartTransaction') === 1, 'and the StartTransaction was not sent again');
} finally {
  await browser.close();
}

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

  await waitFor('the CSMS setting a 10 s sample interval', () => received().some((r) => r.action === 'ChangeConfigurationAnswer' && r.payload.status === 'Accepted'));
  check(true, 'the CSMS changed MeterValueSampleInterval and the box accepted');

  await page.click('text=60×');
  await page.click('#plug');
  await page.click('text=Tap 04A2B3C4D5');
  await waitFor('StartTransaction at the CSMS', () => count('StartTransaction') === 1);
  check(true, 'the CSMS got the StartTransaction');
  await waitFor('two meter samples and the remote stop', () => count('StopTransaction') === 1, 30000);
  const samples = received().filter((r) => r.action === 'MeterValues' && r.payload.transaction_id === 1);
  check(samples.length >= 2, `charging with meter values (${samples.length} samples for transaction 1)`);
  const first = received().find((r) => r.action === 'StopTransaction');
  check(first.payload.reason === 'Remote' && first.payload.transaction_id === 1, `the CSMS stopped it remotely (${first.payload.reason})`);
  await page.click('#unplug');
  await page.waitForTimeout(500);
  const statuses = received().filter((r) => r.action === 'StatusNotification' && r.payload.connector_id === 1).map((r) => r.payload.status);
  check(statuses.slice(-2).join(' > ') === 'Finishing > Available', `every transition reported: ${statuses.join(' > ')}`);

  await page.click('#plug');
  await page.click('text=Tap 04A2B3C4D5');
  await waitFor('the second StartTransaction', () => count('StartTransaction') === 2);
  await page.waitForTimeout(1500);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#link')?.textContent.includes('connected to'));
  await waitFor('the second boot', () => count('BootNotification') === 2);
  await waitFor('the PowerLoss stop after the reload', () => count('StopTransaction') >= 2);
  await page.waitForTimeout(2000);
  const stops = received().filter((r) => r.action === 'StopTransaction');
  check(stops.length === 2, `exactly one StopTransaction per transaction (${stops.length})`);
  check(stops[1].payload.reason === 'PowerLoss' && stops[1].payload.transaction_id === 2, `the reload is a power cut: reason ${stops[1].payload.reason}, transaction ${stops[1].payload.transaction_id}`);
  check(count('StartTransaction') === 2, 'and no StartTransaction was sent twice');
} finally {
  await browser.close();
}

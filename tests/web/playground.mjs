// Drives the release page in headless Chromium (Debian's, never a downloaded one):
// plug the car in, tap a card, charge at 60x, check the panel and the trace, tap the
// blocked card, unplug. Usage: node tests/web/playground.mjs http://127.0.0.1:PORT/
// Exits non-zero with a message on the first failed check.
import { createRequire } from 'node:module';

const require = createRequire(process.env.PLAYWRIGHT_CORE ?? import.meta.url);
const { chromium } = require('playwright-core');

const url = process.argv[2];
const fail = (msg) => { console.error(`playground: FAIL: ${msg}`); process.exit(1); };
const check = (ok, msg) => { if (!ok) fail(msg); console.log(`playground: ok   ${msg}`); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector('#status-light');
  await page.waitForFunction(() => document.querySelector('#trace')?.textContent.includes('BootNotification'));
  console.log(`playground: interactive panel ${Date.now() - started} ms after navigation`);
  const trace = () => page.textContent('#trace');
  check((await trace()).includes('StatusNotification'), 'booted against the demo CSMS and reported its status');

  await page.click('text=60×');
  await page.click('#plug');
  await page.click('text=Tap 04A2B3C4D5');
  await page.waitForFunction(() => document.querySelector('#trace').textContent.includes('StartTransaction'), null, { timeout: 10000 });
  check(true, 'card + plug started a transaction');
  await page.waitForTimeout(3000);
  const energy = parseFloat(await page.textContent('#energy'));
  check(energy > 0.2, `energy is flowing (${energy} kWh after about 3 minutes at 60x)`);
  check(await page.getAttribute('#relay-led', 'class') === 'relay on', 'the relay LED is on');
  check((await page.getAttribute('#status-light', 'class')).includes('green'), 'the status light is green');

  await page.click('text=Tap BLOCKED-CARD');
  await page.waitForTimeout(300);
  check((await page.getAttribute('#status-light', 'class')).includes('red'), 'a blocked card flashes red');

  await page.click('#unplug');
  await page.waitForFunction(() => document.querySelector('#trace').textContent.includes('EVDisconnected'), null, { timeout: 10000 });
  check(true, 'unplugging stopped the transaction with reason EVDisconnected');
  // The trace's tools.
  await page.fill('#trace-filter', 'authorize');
  await page.waitForTimeout(300);
  const actions = await page.$$eval('#trace .action', (els) => els.map((e) => e.textContent));
  check(actions.length > 0 && actions.every((a) => a.startsWith('Authorize')), `the filter keeps Authorize and its answers (${actions.length} rows)`);
  check(actions.some((a) => a.includes('ms')), 'answers are paired with their CALL and its latency');
  await page.fill('#trace-filter', '');
  const href = await page.getAttribute('#trace-export', 'href');
  check(href.startsWith('data:application/x-ndjson') && decodeURIComponent(href).includes('"StartTransaction"'), 'the trace exports as JSON lines');
  check((await page.textContent('#config')).includes('MeterValueSampleInterval'), 'the configuration view lists the keys');
  check((await page.textContent('#cache')).includes('04A2B3C4D5'), 'the cache view shows the accepted card');

  // The socket variant on the demo CSMS: a custom card, the lock, UnlockConnector.
  await page.selectOption('select:near(:text("Variant"))', 'socket');
  await page.click('text=Use the demo CSMS');
  await page.waitForFunction(() => document.querySelector('#trace').textContent.includes('BootNotification'));
  await page.click('#plug');
  await page.fill('#custom-card', 'MY-OWN-CARD');
  await page.click('#tap-custom');
  await page.waitForFunction(() => document.querySelector('#lock')?.textContent === 'LOCKED', null, { timeout: 10000 });
  check(true, 'a custom card started a transaction on the socket variant and the cable is locked');
  await page.click('text=UnlockConnector');
  await page.waitForFunction(() => document.querySelector('#lock')?.textContent === 'unlocked', null, { timeout: 10000 });
  check((await page.textContent('#trace')).includes('UnlockCommand'), 'UnlockConnector stopped it (UnlockCommand) and unlocked the cable');
  // The trainer makes the demo CSMS refuse every card.
  await page.click('#authorize-answer');
  await page.fill('#custom-card', 'ANOTHER-CARD');
  await page.click('#tap-custom');
  await page.waitForFunction(() => document.querySelector('#card-result')?.textContent.includes('ANOTHER-CARD: refused'), null, { timeout: 10000 });
  check(true, 'with "refuse all" the demo CSMS answers Invalid and the panel says so');
  check(errors.length === 0, `no page errors ${errors.join('; ')}`);
} finally {
  await browser.close();
}

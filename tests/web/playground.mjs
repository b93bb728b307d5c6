// Drives the release page in headless Chromium (Debian's, never a downloaded one):
// plug the car in, tap a card, charge at 60x, check the panel and the trace, tap the
// blocked card, unplug; then Firmware Management on the demo CSMS with nothing but the
// page's own server (sample files served with the page, diagnostics kept in the page),
// and the demo CSMS's root certificate and certificate request. The trace's replay
// loads the page's own export and, when RUNNER-TRACE is given, a native runner's --trace.
// Usage: node tests/web/playground.mjs http://127.0.0.1:PORT/ [RUNNER-TRACE]
// Exits non-zero with a message on the first failed check.
import { readFileSync } from 'node:fs';
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
  // Trace replay: the export loaded back and stepped through in the same view.
  const exported = decodeURIComponent(href.slice(href.indexOf(',') + 1));
  const lines = exported.trim().split('\n').map((l) => JSON.parse(l));
  const load = (name, text) => page.setInputFiles('#trace-load', { name, mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
  const position = () => page.textContent('#replay-position');
  const rowCount = () => page.$$eval('#trace .frame', (els) => els.length);
  // The row the replay stands on, as the frame it holds.
  const current = () => page.$eval('#trace .frame.current', (el) => el.querySelector('code')?.textContent ?? el.querySelector('.event').textContent);
  const same = (text, line) => (typeof line.frame === 'string' ? text === line.frame : JSON.stringify(JSON.parse(text)) === JSON.stringify(line.frame));
  await load('evc-trace.jsonl', exported);
  await page.waitForSelector('#trace-replay');
  check((await position()) === `Replay of evc-trace.jsonl: row 1 of ${lines.length}`, `the exported trace loads back for a replay (${await position()})`);
  check((await rowCount()) === 1 && same(await current(), lines[0]), 'the replay starts at its first row');
  for (let i = 0; i < 3; i++) await page.click('#replay-step');
  check((await rowCount()) === 4 && same(await current(), lines[3]), `Step ▶ shows one row more each time, the newest marked (${await position()})`);
  await page.focus('#replay-step');
  await page.keyboard.press('ArrowLeft');
  check((await position()).includes(`row 3 of ${lines.length}`) && same(await current(), lines[2]), '← steps back');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  check((await position()).includes(`row 5 of ${lines.length}`) && same(await current(), lines[4]), '→ steps on');
  await page.waitForTimeout(1500);
  check((await rowCount()) === 5, 'the live frames stay out of a replay');
  await page.click('#replay-last');
  const last = lines[lines.length - 1];
  check((await position()).includes(`row ${lines.length} of ${lines.length}`) && same(await current(), last), 'Last ⏭ goes to the end');
  const replayed = await page.$$eval('#trace .frame .action', (els) => els.map((e) => e.textContent.split(' ')[0]));
  const wanted = lines.slice(-replayed.length).reverse().map((l) => (l.direction === 'file' ? 'transfer' : l.action));
  check(replayed.join() === wanted.join(), `every replayed row has its line's action (${replayed.length} rows)`);
  await page.click('#replay-first');
  check((await rowCount()) === 1, '⏮ First goes back to the start');
  await page.click('#replay-close');
  await page.waitForFunction(() => !document.querySelector('#trace-replay'));
  check((await rowCount()) > 1, 'Back to live shows the live trace again');
  if (process.argv[3]) {
    // The runner's trace of two charge points: the first one's lines, with its wall time.
    const text = readFileSync(process.argv[3], 'utf8');
    const runner = text.trim().split('\n').map((l) => JSON.parse(l));
    const cp = runner[0].cp;
    const own = runner.filter((l) => l.cp === cp);
    check(runner.length > own.length, `the runner's trace holds two charge points (${runner.length} lines, ${own.length} of ${cp})`);
    await load('run.jsonl', text);
    await page.waitForFunction((want) => document.querySelector('#replay-position')?.textContent === want,
      `Replay of run.jsonl (${cp}): row 1 of ${own.length}`);
    check(true, `the runner's trace replays its first charge point (${await position()})`);
    await page.click('#replay-last');
    const rows = await page.$$eval('#trace .frame', (els) => els.map((e) => [e.querySelector('code')?.textContent ?? e.querySelector('.event').textContent, e.querySelector('.time').title]));
    const tail = own.slice(-rows.length).reverse();
    check(rows.every(([t, wall], i) => t === (tail[i].frame ?? tail[i].note) && wall === tail[i].t), `each row holds its line's frame and wall time (${rows.length} rows)`);
    const actions = await page.textContent('#trace');
    check(['StartTransaction', 'StopTransaction'].every((a) => actions.includes(a)), 'the runner\'s session is there: StartTransaction … StopTransaction');
    await page.click('#replay-close');
  }
  await load('broken.jsonl', `${exported.split('\n')[0]}\n{"time_ms":1,"direction":"sideways","frame":[]}\n`);
  await page.waitForSelector('#trace-replay-error');
  const refused = await page.textContent('#trace-replay-error');
  check(refused.startsWith('line 2: "direction" must be') && !(await page.$('#trace-replay')), `a broken trace is refused, naming its line (${refused})`);
  await load('empty.jsonl', '\n');
  await page.waitForFunction(() => document.querySelector('#trace-replay-error')?.textContent === 'empty.jsonl holds no frames');
  check(true, 'an empty file is refused');
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

  // Firmware Management on the demo CSMS, offline: every request but the page's own
  // server's is refused.
  const offline = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const origin = new URL(url).origin;
  const outside = [];
  await offline.route('**/*', (route) => {
    const to = route.request().url();
    if (to.startsWith(origin)) return route.continue();
    outside.push(to);
    return route.abort();
  });
  const fw = await offline.newPage();
  fw.on('pageerror', (e) => errors.push(String(e)));
  await fw.goto(url);
  await fw.waitForFunction(() => document.querySelector('#trace')?.textContent.includes('BootNotification'));
  const fwTrace = () => fw.textContent('#trace');
  const update = async (file, until, what) => {
    await fw.selectOption('#fw-sample', file);
    await fw.click('#update-firmware');
    await fw.waitForFunction((needle) => document.querySelector('#trace').textContent.includes(needle), until, { timeout: 20000 })
      .catch(() => fail(`${what}: the trace never showed ${until}`));
  };
  const before = await fw.textContent('#firmware');
  check(/^Firmware \S+$/.test(before), `the panel shows the firmware installed (${before})`);
  await update('evc-9.9.9.fw', 'HTTP 404 Not Found', 'a missing file');
  await fw.waitForFunction(() => document.querySelector('#trace').textContent.includes('"status":"DownloadFailed"'), null, { timeout: 10000 });
  check(true, 'a missing sample: DownloadFailed, "HTTP 404 Not Found"');
  await update('other-product-2.0.0.fw', 'firmware for product OtherCharger, this box is TeltoCharge', 'another product');
  check(true, 'a file for another product is refused with the product named');
  await update('evc-1.13.0-corrupt.fw', 'SHA-256 mismatch', 'the corrupt sample');
  await fw.waitForFunction(() => document.querySelector('#trace').textContent.includes('"status":"InstallationFailed"'), null, { timeout: 10000 });
  check(true, 'the corrupt sample: InstallationFailed with the SHA-256 reason');
  await update('evc-1.13.0.fw', '"status":"Installed"', 'the good sample');
  await fw.waitForFunction(() => document.querySelector('#firmware').textContent === 'Firmware 1.13.0', null, { timeout: 10000 })
    .catch(async () => fail(`the panel does not show the new version: ${await fw.textContent('#firmware')}`));
  check((await fwTrace()).includes('"firmwareVersion":"1.13.0"'), 'the good sample installs: the box rebooted with firmwareVersion 1.13.0 and the panel shows it');
  await fw.click('#get-diagnostics');
  await fw.waitForSelector('#received a.diagnostics', { timeout: 20000 });
  const link = await fw.getAttribute('#received a.diagnostics', 'href');
  const name = await fw.getAttribute('#received a.diagnostics', 'download');
  const log = await fw.evaluate(async (href) => (await fetch(href)).text(), link);
  check(link.startsWith('blob:') && /-diagnostics-\d{8}T\d{6}Z\.log$/.test(name) && log.includes('BootNotification'),
    `GetDiagnostics: the demo CSMS offers ${name} (${log.length} characters, a blob: link)`);
  await fw.waitForFunction(() => document.querySelector('#trace').textContent.includes('"status":"Uploaded"'), null, { timeout: 10000 });
  // The demo CSMS's certificates: it installs its root and asks for a CSR, never signs.
  if (!(await fw.$('#install-root'))) {
    fail(`the demo has no certificate buttons: ${await fw.textContent('#certificates')}`);
  } else {
  await fw.click('#install-root');
  await fw.waitForFunction(() => document.querySelector('#root-certificate .subject')?.textContent === 'CN=Test Root CA, O=EVC Playground Test', null, { timeout: 10000 })
    .catch(async () => fail(`the certificate view does not show the demo root: ${await fw.textContent('#certificates')}`));
  check((await fw.textContent('#root-certificate')).includes('a1b2c3d4'), 'Install root certificate: the view shows the demo root, its serial and hash data');
  await fw.click('#request-certificate');
  await fw.waitForSelector('#csr', { timeout: 10000 });
  const csr = await fw.inputValue('#csr');
  check(csr.startsWith('-----BEGIN CERTIFICATE REQUEST-----') && (await fwTrace()).includes('SignCertificate'),
    'Request a certificate: the box sent SignCertificate and the view shows its CSR');
  }
  check(!(await fw.textContent('main')).includes('PRIVATE KEY'), 'no private key on the page');
  check(outside.length === 0, `nothing but the page's own server was asked (${outside.join(', ')})`);
  check(errors.length === 0, `no page errors ${errors.join('; ')}`);
  await fw.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/evc-firmware.png', fullPage: false });
  await offline.close();
} finally {
  await browser.close();
}

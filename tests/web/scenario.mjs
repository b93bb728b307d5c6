// Scenarios in the tab (www/evc.js's scenario card over the scenario module built from
// crates/web/src/bin/scenario.rs: chargepoint::scenario, the runner's own parser and
// executor), in headless Chromium against the demo CSMS: the module is fetched only when
// a scenario first runs; a broken file is refused naming its line; the ready "offline"
// scenario keeps the StopTransaction of a car that left while the CSMS was unreachable
// and sends it, with the time it happened, once the CSMS is back; the ready
// "peak-hours" scenario has the demo CSMS install its daily profile and then charges.
// Usage: node tests/web/scenario.mjs http://127.0.0.1:PORT/
// Exits non-zero with a message on the first failed check.
import { createRequire } from 'node:module';

const require = createRequire(process.env.PLAYWRIGHT_CORE ?? import.meta.url);
const { chromium } = require('playwright-core');

const url = process.argv[2];
const fail = (msg) => { console.error(`scenario: FAIL: ${msg}`); process.exit(1); };
const check = (ok, msg) => { if (!ok) fail(msg); console.log(`scenario: ok   ${msg}`); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  const fetched = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(url);
  await page.evaluate(() => window.evc.ready());
  await page.evaluate(() => window.evc.waitForStatus('Available'));
  await page.waitForSelector('#scenario-open');
  check(!fetched.some((p) => p.includes('/scenario')), 'the scenario card and module are not part of the page load');

  // A broken file, typed into the card: refused with its line, nothing runs.
  await page.click('#scenario-open');
  await page.waitForSelector('#scenario[open]');
  await page.selectOption('#scenario select', '');
  await page.fill('#scenario-text', 'speed = 10\n[[step]\ndo = "plug"\n');
  await page.click('#scenario-run');
  await page.waitForFunction(() => document.getElementById('scenario-error').textContent !== '');
  const error = await page.textContent('#scenario-error');
  check(error.startsWith('line 2:') && error.includes(']]'), `a broken file is refused with its line: "${error}"`);
  check(await page.evaluate(() => window.evc.scenario()) === null, 'and nothing runs');
  const bad = await page.evaluate(() => window.evc.runScenario({ text: '[[step]]\ndo = "dance"' })
    .then(() => 'ran', (e) => e.message));
  check(bad.includes('step[0]: do = "dance"'), `the API names the step and the field: "${bad}"`);
  check(fetched.filter((p) => p.endsWith('scenario_bg.wasm')).length === 1, 'the module was fetched once, on first use');

  // The ready "offline" scenario, from the card.
  await page.selectOption('#scenario select', 'offline');
  await page.waitForFunction(() => document.getElementById('scenario-text').value.includes('do = "offline"'));
  await page.click('#scenario-run');
  await page.waitForFunction(() => window.evc.scenario()?.name === 'offline');
  check((await page.evaluate(() => window.evc.state())).speed === 10, "the file's speed applies (10x)");
  await page.evaluate(() => window.evc.setSpeed(60));
  const start = await page.evaluate(() => window.evc.waitForFrame('StartTransaction', { from: 'cp', kind: 'CALL', timeoutMs: 60000 }));
  check(start.text.includes('04A2B3C4D5'), 'the scenario plugged in and tapped its card: StartTransaction');
  await page.waitForFunction(() => { const s = window.evc.state(); return !s.plugged && !s.connected; }, null, { timeout: 60000 });
  const outbox = Number(await page.textContent('#outbox'));
  check(outbox >= 1, `the car left while the box was offline: ${outbox} transaction message(s) wait in the queue`);
  const stop = await page.evaluate(() => window.evc.waitForFrame('StopTransaction', { from: 'cp', kind: 'CALL', timeoutMs: 90000 }));
  const payload = JSON.parse(stop.text)[3];
  check(payload.reason === 'EVDisconnected', 'StopTransaction went out once the CSMS was back (EVDisconnected)');
  check(Date.parse(stop.at) - Date.parse(payload.timestamp) >= 4 * 60 * 1000,
    `with the time the car left (${payload.timestamp}), not the time it was sent (${stop.at})`);
  await page.waitForFunction(() => window.evc.scenario()?.done, null, { timeout: 30000 });
  const done = await page.evaluate(() => window.evc.scenario());
  check(['offline', 'unplug', 'online'].every((w) => done.log.some((l) => l.endsWith(` ${w}`))),
    `its log shows each step: ${done.log.join(' | ')}`);
  check((await page.textContent('#scenario-status')).includes('finished'), 'the card says it finished');

  // A car that fills up: the scenario waits for SuspendedEV (the OCPP name, as the state
  // reports it) and goes on.
  const full = 'ev = { battery_kwh = 10, soc = 79, target_soc = 80 }\n[[step]]\ndo = "plug"\n'
    + '[[step]]\nwait = "2s"\ndo = "tap"\ncard = "04A2B3C4D5"\n'
    + '[[step]]\nuntil = "SuspendedEV"\ntimeout = "60s"\nwait = "1s"\ndo = "unplug"\n';
  await page.evaluate((text) => window.evc.runScenario({ text }), full);
  await page.evaluate(() => window.evc.setSpeed(60));
  await page.waitForFunction(() => window.evc.scenario()?.done, null, { timeout: 60000 });
  const filled = await page.evaluate(() => window.evc.scenario());
  check(filled.log.some((l) => l.endsWith(' unplug')) && !filled.log.some((l) => l.includes('in vain')),
    `the scenario saw SuspendedEV and unplugged: ${filled.log.join(' | ')}`);

  // The ready "peak-hours" scenario: the demo CSMS installs the profile, then it charges.
  await page.evaluate(() => { window.evc.stopScenario(); window.evc.factoryReset(); });
  await page.evaluate(() => window.evc.waitForStatus('Available'));
  await page.evaluate(() => window.evc.runScenario({ name: 'peak-hours' }));
  await page.waitForFunction(() => window.evc.scenario()?.log.some((l) => l.includes('SetChargingProfile')), null, { timeout: 30000 });
  const log = (await page.evaluate(() => window.evc.scenario())).log.find((l) => l.includes('SetChargingProfile'));
  check(log.includes('"Accepted"'), `the demo CSMS's SetChargingProfile was accepted: ${log}`);
  const charging = await page.evaluate(() => window.evc.waitForStatus('Charging', { timeoutMs: 60000 }));
  check(charging.transactionId !== null && charging.relayClosed, 'and the car charges under it');

  // The share link carries the scenario; opening it runs it again.
  const link = (await page.evaluate(() => window.evc.state())).shareLink;
  check(link.includes('&scenario=peak-hours'), `the share link names the scenario: ${link}`);
  const shared = await browser.newPage();
  shared.on('pageerror', (e) => errors.push(String(e)));
  await shared.goto('about:blank');
  await shared.goto(link);
  await shared.evaluate(() => window.evc.ready());
  await shared.waitForFunction(() => window.evc.scenario()?.name === 'peak-hours', null, { timeout: 30000 });
  check(await shared.isVisible('#scenario[open] #scenario-status'), 'opening it runs the scenario, its card open');
  const own = '[[step]]\nwait = "5s"\ndo = "plug"\n';
  await shared.goto('about:blank');
  await shared.goto(`${url}#speed=60&scenario=${encodeURIComponent(own)}`);
  await shared.evaluate(() => window.evc.ready());
  await shared.waitForFunction(() => window.evc.state().plugged, null, { timeout: 30000 });
  check((await shared.inputValue('#scenario-text')) === own, "one's own scenario travels as its TOML and runs");
  check((await shared.evaluate(() => window.evc.state())).shareLink.includes(`scenario=${encodeURIComponent(own)}`), 'and stays in the link');
  await shared.evaluate(() => window.evc.stopScenario());
  check(!(await shared.evaluate(() => window.evc.state())).shareLink.includes('scenario='), 'a stopped scenario leaves the link');
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}

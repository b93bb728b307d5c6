// The CSMS console of demo mode, as a CSMS developer uses it, in headless Chromium:
// every CSMS action of the contract sent from its template and answered by the box; a
// broken request refused before it leaves, naming the field; the key helper of
// ChangeConfiguration; the period builder of SetChargingProfile, whose limit the box's
// composite schedule then reports; expert mode's templates of the box's own CALLs.
// With CONSOLE_SCREENSHOT=FILE it also saves the screenshot the README shows.
// Usage: node tests/web/console.mjs http://127.0.0.1:PORT/
import { createRequire } from 'node:module';

const require = createRequire(process.env.PLAYWRIGHT_CORE ?? import.meta.url);
const { chromium } = require('playwright-core');

const url = process.argv[2];
const fail = (msg) => { console.error(`console: FAIL: ${msg}`); process.exit(1); };
const check = (ok, msg) => { if (!ok) fail(msg); console.log(`console: ok   ${msg}`); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#trace')?.textContent.includes('BootNotification'));
  await page.click('text=60×');

  // Sends what the console holds; waits for a new answer (the box may be rebooting
  // after a Reset: the console then says it is not connected, and the test retries).
  const send = async (action) => {
    const sent = () => page.getAttribute('#console-answer', 'data-sent').catch(() => null);
    const before = await sent();
    for (let attempt = 0; attempt < 60; attempt++) {
      await page.click('#console-send');
      if ((await sent()) !== before) {
        const answer = await page.textContent('#console-answer');
        if (!answer.startsWith(`${action} →`)) fail(`${action}: the answer shown is "${answer}"`);
        return answer;
      }
      const refused = await page.textContent('#console-refused').catch(() => '');
      if (!refused.includes('not connected')) fail(`${action}: ${refused || 'no answer shown'}`);
      await page.waitForTimeout(500);
    }
    return fail(`${action}: the demo CSMS never reconnected`);
  };

  const actions = await page.$$eval('#console-action option', (os) => os.map((o) => o.value));
  check(actions.length === 24, `the console offers the 24 CSMS→charge point actions of the contract (${actions.length})`);
  const answers = {};
  for (const action of actions) {
    await page.selectOption('#console-action', action);
    check(!(await page.$('#console-error')), `${action}: its template is a valid request`);
    answers[action] = await send(action);
  }
  const callErrors = Object.entries(answers).filter(([, a]) => a.includes('CALLERROR'));
  check(callErrors.length === 0, `the box answered all 24 with a CALLRESULT (${callErrors.map(([k, a]) => a).join('; ')})`);
  check(answers.RemoteStartTransaction.includes('"Accepted"'), 'RemoteStartTransaction → Accepted');
  check(answers.GetConfiguration.includes('HeartbeatInterval'), 'GetConfiguration → the keys asked for');
  check(answers.CertificateSigned.includes('"Rejected"'), 'CertificateSigned with a chain not for its key → Rejected');
  check(answers.GetInstalledCertificateIds.includes('certificateHashData'), 'GetInstalledCertificateIds → the root installed just before');
  check(answers.GetLocalListVersion.includes('listVersion'), 'GetLocalListVersion → its version');
  const trace = await page.textContent('#trace');
  check(['SetChargingProfile', 'ReserveNow', 'GetLog'].every((a) => trace.includes(a)), 'the requests show in the trace');

  // A broken request never leaves: the field is named and Send is disabled.
  await page.selectOption('#console-action', 'RemoteStartTransaction');
  await page.fill('#console-payload', '{"connectorId":1}');
  const error = await page.textContent('#console-error');
  check(error.includes('idTag'), `a request without idTag is refused before it is sent: "${error}"`);
  check(await page.isDisabled('#console-send'), 'Send is disabled while the request is not valid');
  await page.fill('#console-payload', '{"connectorId":1,"idTag":"APP-USER"');
  check((await page.textContent('#console-error')).includes('JSON'), 'text that is not JSON is refused too');

  // ChangeConfiguration's key helper.
  await page.selectOption('#console-action', 'ChangeConfiguration');
  const keys = await page.$$eval('#console-key option', (os) => os.map((o) => o.value).filter(Boolean));
  check(keys.includes('AuthorizationKey') && !keys.includes('NumberOfConnectors'), `the key list holds the writable keys (${keys.length})`);
  await page.selectOption('#console-key', 'MeterValueSampleInterval');
  check((await page.textContent('#console-key-hint')).includes('an integer from 5 to 84600'), 'the hint gives the key\'s range');
  await page.fill('#console-payload', '{"key":"MeterValueSampleInterval","value":"10"}');
  check((await send('ChangeConfiguration')).includes('"Accepted"'), 'MeterValueSampleInterval=10 → Accepted');
  await page.fill('#console-payload', '{"key":"MeterValueSampleInterval","value":"2"}');
  check((await send('ChangeConfiguration')).includes('"Rejected"'), 'MeterValueSampleInterval=2 (below 5 s) → Rejected');
  await page.selectOption('#console-action', 'GetConfiguration');
  await page.selectOption('#console-key', 'MeterValueSampleInterval');
  await page.selectOption('#console-key', 'NumberOfConnectors');
  const asked = await page.inputValue('#console-payload');
  check(asked === '{"key":["MeterValueSampleInterval","NumberOfConnectors"]}', `GetConfiguration's key list is built from the picks: ${asked}`);
  const got = await send('GetConfiguration');
  check(got.includes('"value":"10"') && got.includes('NumberOfConnectors'), 'GetConfiguration shows the new value');

  // SetChargingProfile's period builder, then the composite schedule it makes.
  await page.selectOption('#console-action', 'SetChargingProfile');
  await page.selectOption('#profile-purpose', 'ChargePointMaxProfile');
  await page.fill('#profile-stack', '3');
  await page.locator('.period-limit').nth(0).fill('13');
  await page.click('#add-period');
  check(await page.locator('.period').count() === 3, 'Add period adds a row');
  await page.locator('.period-remove').nth(1).click();
  check(await page.locator('.period').count() === 2, 'Remove takes one away');
  const profile = await page.inputValue('#console-payload');
  check(profile.includes('"connectorId":0') && profile.includes('"stackLevel":3') && profile.includes('"startPeriod":0,"limit":13'),
    `the builder wrote the request: ${profile}`);
  check(!(await page.$('#console-error')), 'the built request is valid');
  check((await send('SetChargingProfile')).includes('"Accepted"'), 'the built profile → Accepted');
  await page.selectOption('#console-action', 'GetCompositeSchedule');
  await page.fill('#console-payload', '{"connectorId":0,"duration":600,"chargingRateUnit":"A"}');
  const schedule = await send('GetCompositeSchedule');
  check(schedule.includes('"limit":13'), `the composite schedule has the built limit: ${schedule}`);
  check(await page.locator('#console-history li').count() > 0, 'earlier answers stay listed under the newest');

  // Expert mode's templates of the box's own CALLs.
  const templates = await page.$$eval('#raw-template option', (os) => os.map((o) => o.value).filter(Boolean));
  check(templates.length === 13, `the composer offers the 13 charge point CALLs (${templates.length})`);
  await page.selectOption('#raw-template', 'StatusNotification');
  const frame = await page.inputValue('#raw-frame');
  check(frame.startsWith('[2,"expert-') && frame.includes('"StatusNotification",{"connectorId":1'), `the template is a whole CALL: ${frame}`);
  await page.selectOption('#raw-template', 'Heartbeat');
  await page.click('#send-raw');
  check(!(await page.$('#raw-error')), 'the template was sent');

  // The charts: the box charges under the profile just built (13 A, then 6 A after an
  // hour); offered ≤ the schedule's limit now, drawn ≤ offered, power and energy grow.
  await page.selectOption('#console-action', 'ChangeAvailability');
  await page.fill('#console-payload', '{"connectorId":0,"type":"Operative"}');
  check((await send('ChangeAvailability')).includes('"Accepted"'), 'ChangeAvailability Operative again (the template made it Inoperative)');
  await page.click('#plug');
  await page.click('text=Tap 04A2B3C4D5');
  const points = (sel) => page.$eval(sel, (e) => e.getAttribute('points').trim().split(' ').filter(Boolean).length);
  const last = (sel) => page.$eval(sel, (e) => parseFloat(e.dataset.last));
  await page.waitForFunction(() => {
    const d = document.querySelector('#chart-current polyline.drawn');
    return d && parseFloat(d.dataset.last) > 0 && d.getAttribute('points').trim().split(' ').length >= 6;
  }, null, { timeout: 30000 });
  const [offered, drawn, limit] = [await last('#chart-current polyline.offered'), await last('#chart-current polyline.drawn'), await last('#chart-current polyline.limit')];
  check(limit === 13 || limit === 6, `the schedule's limit now is the built profile's (${limit} A)`);
  check(offered > 0 && offered <= limit && drawn > 0 && drawn <= offered, `offered ${offered} A ≤ the limit, drawn ${drawn} A ≤ offered`);
  check(await points('#chart-current polyline.limit') >= 2, 'the composite schedule is drawn ahead as a step line');
  check(await last('#chart-power polyline.power') > 0, `the power chart shows the charge (${await last('#chart-power polyline.power')} kW)`);
  const soc = await last('#chart-energy polyline.soc');
  check(soc > 0 && soc <= 100, `the state of charge is charted (${soc} %)`);
  check(/min|h/.test(await page.textContent('#chart-current .axis')), `the time axis is labelled: ${await page.textContent('#chart-current .axis')}`);
  if (process.env.CHARTS_SCREENSHOT) {
    await page.waitForTimeout(20000);
    await (await page.$('#charts')).screenshot({ path: process.env.CHARTS_SCREENSHOT });
  }

  if (process.env.CONSOLE_SCREENSHOT) {
    await page.selectOption('#console-action', 'SetChargingProfile');
    await (await page.$('#console')).screenshot({ path: process.env.CONSOLE_SCREENSHOT });
  }
  const ids = await page.$$eval('#trace li[id]', (lis) => lis.map((li) => li.id));
  check(ids.length > 0 && new Set(ids).size === ids.length, `the trace's row ids are unique (${ids.length})`);
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}

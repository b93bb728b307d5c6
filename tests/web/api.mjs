// The example of driving the page from a CSMS team's own Playwright test, through
// nothing but `window.evc` (www/evc.js, typed by www/evc.d.ts): first against the
// built-in demo CSMS, then against a real one (tests/web/csms.py, PyPI `ocpp`).
// Usage: node tests/web/api.mjs PAGE_URL CSMS_WS_URL CSMS_LOG
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.PLAYWRIGHT_CORE ?? import.meta.url);
const { chromium } = require('playwright-core');

const [pageUrl, csmsUrl, log] = process.argv.slice(2);
const fail = (msg) => { console.error(`api: FAIL: ${msg}`); process.exit(1); };
const check = (ok, msg) => { if (!ok) fail(msg); console.log(`api: ok   ${msg}`); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pageUrl);
  // One helper: run a verb in the page and hand its result (or its error) back.
  const evc = (verb, ...args) => page.evaluate(([v, a]) => window.evc[v](...a), [verb, args]);
  const refused = (verb, ...args) => page.evaluate(async ([v, a]) => {
    try { await window.evc[v](...a); return null; } catch (e) { return e.message; }
  }, [verb, args]);
  await page.evaluate(() => window.evc.ready());
  // www/evc.d.ts declares exactly what the page has: the verbs and the state's fields.
  const dts = readFileSync(new URL('../../www/evc.d.ts', import.meta.url), 'utf8');
  const block = (name) => dts.slice(dts.indexOf(`export interface ${name} {`)).split('\n}\n')[0];
  const declared = (name, re) => [...block(name).matchAll(re)].map((m) => m[1]).sort();
  const verbs = declared('Evc', /^  (\w+)\(/gm);
  const fields = declared('EvcState', /^  (\w+)\??:/gm);
  const actual = await page.evaluate(() => [Object.keys(window.evc).sort(), Object.keys(window.evc.state()).sort()]);
  check(JSON.stringify(verbs) === JSON.stringify(actual[0]), `evc.d.ts declares the ${verbs.length} verbs window.evc has (${actual[0].join(', ')})`);
  check(JSON.stringify(fields) === JSON.stringify(actual[1]), `evc.d.ts declares the ${fields.length} fields of state() (${actual[1].join(', ')})`);

  // ---- the demo CSMS ----
  let s = await evc('waitForConnected');
  check(s.home === 'demo' && s.status === 'Available', `demo: ${s.id} connected, ${s.status}`);
  check(await refused('tap', '') === 'evc.tap: "idTag" must be 1 to 20 characters (IdToken)',
    'a bad argument is refused with the verb and the reason');
  check((await refused('fault', 'Smoke')).startsWith('evc.fault: unknown fault "Smoke"; one of HighTemperature'),
    'an unknown fault is refused, listing the known ones');
  check((await refused('unplug')) === 'evc.unplug: no EV is plugged in', 'unplug with nothing plugged in is refused');
  const since = s.ms;
  await evc('tap', '04A2B3C4D5');
  await page.waitForFunction(() => document.querySelector('#status-light').getAttribute('class') === 'led blue middle');
  check((await evc('state')).led === 'WaitingForEv', 'a card before the EV: blue from the middle, waiting for the EV');
  await evc('plug');
  s = await evc('waitForStatus', 'Charging');
  check(s.transactionId !== null && s.relayClosed && s.led === 'Charging', `card + plug: Charging, transaction ${s.transactionId}, green rolling`);
  const start = await evc('waitForFrame', 'StartTransaction', { from: 'csms', kind: 'CALLRESULT', since });
  check(JSON.parse(start.text)[2].transactionId === s.transactionId, 'waitForFrame: the CSMS\'s StartTransaction answer carries that transaction id');
  const sample = await evc('csms', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '10' });
  check(sample.result?.status === 'Accepted', 'csms(): ChangeConfiguration MeterValueSampleInterval=10 Accepted');
  await evc('setSpeed', 60);
  await evc('waitForFrame', 'MeterValues', { from: 'cp', since: (await evc('state')).ms });
  check((await evc('state')).speed === 60, 'setSpeed(60): MeterValues every 10 s of box time follow');
  const conf = await evc('csms', 'GetConfiguration', { key: ['HeartbeatInterval'] });
  check(conf.result.configurationKey[0].key === 'HeartbeatInterval', 'csms(): the demo CSMS asks GetConfiguration and gets the key');
  const broken = await evc('csms', 'ChangeConfiguration', { key: 'HeartbeatInterval' });
  check(broken.error?.code === 'OccurenceConstraintViolation',
    `csms(): a ChangeConfiguration without its value is answered ${broken.error?.code} (${broken.error?.description})`);
  const mistakes = await evc('mistakes');
  check(mistakes.some((m) => m.action === 'ChangeConfiguration' && m.frame?.includes('HeartbeatInterval')),
    `mistakes(): the CALLERROR is listed with the CSMS's frame (${mistakes.length} in all)`);
  const rawSince = (await evc('state')).ms;
  await evc('sendRaw', '[2,"api-raw-1","DataTransfer",{"vendorId":"Teltonika"}]');
  const raw = await evc('waitForFrame', 'DataTransfer', { from: 'csms', kind: 'CALLRESULT', since: rawSince });
  check(raw.id === 'api-raw-1', `sendRaw(): the box sends the frame as it is and the demo CSMS answers it (${raw.text})`);
  check((await evc('mistakes')).length === mistakes.length, 'sendRaw(): the answer to the tester\'s CALL is no mistake of the CSMS');
  const empty = await page.evaluate(() => { try { window.evc.sendRaw(' '); return null; } catch (e) { return String(e.message ?? e); } });
  check(empty?.includes('empty'), `sendRaw(' ') throws: ${empty}`);
  // Expert mode's hold, on the demo CSMS: its CALL waits until released.
  await evc('hold', true);
  check((await refused('csms', 'GetLocalListVersion')).includes('did not answer GetLocalListVersion'), 'hold(): the demo CSMS\'s CALL is not answered while held');
  const held = await evc('held');
  check(held.length === 1 && held[0].action === 'GetLocalListVersion' && held[0].frame.includes(held[0].id), `held(): ${JSON.stringify(held)}`);
  check(await refused('release', 'no-such-id') === 'evc.release: no CALL with id "no-such-id" is held', 'release() of an id not held is refused');
  await evc('release', held[0].id);
  const released = (await evc('trace')).find((f) => f.id === held[0].id && f.from === 'cp');
  check(released?.kind === 'CALLRESULT' && (await evc('held')).length === 0, `release(): the box answered it (${released?.text})`);
  await evc('hold', false);
  await evc('fault', 'HighTemperature');
  s = await evc('waitForStatus', 'Faulted');
  check(s.errorCode === 'HighTemperature' && s.led === 'Fault(Temperature)', 'fault(HighTemperature): Faulted, HighTemperature, the Temperature light');
  check((await page.getAttribute('#status-light', 'class')) === 'led red f5', 'the panel shows the temperature class\'s red pattern (5 segments)');
  await evc('fault', 'HighTemperature', false);
  await evc('waitForStatus', 'Charging');
  await evc('unplug');
  await evc('waitForFrame', 'StopTransaction', { from: 'cp', since });
  s = await evc('waitForStatus', 'Available');
  check(s.transactionId === null, 'unplug: StopTransaction, Available again');
  const trace = await evc('trace');
  check(trace.some((f) => f.action === 'BootNotification' && f.from === 'cp' && f.kind === 'CALL'), `trace(): ${trace.length} frames, BootNotification first among them`);

  // ---- a real CSMS ----
  const id = 'TC-API-0001';
  await evc('setSpeed', 1);
  await evc('configure', { url: csmsUrl, id });
  s = await evc('waitForConnected');
  check(s.home === 'live' && s.id === id, `configure(): ${id} connected to ${csmsUrl}`);
  // The CSMS accepts the boot, then sets a 10 s sample interval: the box is registered.
  await evc('waitForFrame', 'ChangeConfiguration', { from: 'cp', kind: 'CALLRESULT' });
  await evc('plug');
  await evc('tap', '04A2B3C4D5');
  await evc('waitForFrame', 'StartTransaction', { from: 'csms', kind: 'CALLRESULT' });
  const received = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.cp === id);
  check(received.some((r) => r.action === 'StartTransaction'), 'the independent CSMS received StartTransaction from that charge point');
  check(await refused('csms', 'Reset', { type: 'Soft' }) === 'evc.csms: the box is connected to a real CSMS, not the demo CSMS',
    'csms() is refused against a real CSMS');
  await evc('dropLink');
  check(!(await evc('state')).connected, 'dropLink(): the link is down');
  s = await evc('waitForConnected');
  check(s.status === 'Charging', 'the box reconnected by itself, still charging');
  // Network faults: every frame the box sends goes twice (seeded, both ways).
  check((await refused('networkFaults', 'jitter=5')).startsWith('evc.networkFaults: unknown fault "jitter"'),
    'an unknown network fault is refused');
  s = await evc('networkFaults', 'seed=7 latency=50 duplicate=100');
  check(s.networkFaults !== null, 'networkFaults(): set on the link to the real CSMS');
  await evc('unplug');
  await evc('waitForFrame', 'StopTransaction', { from: 'csms', kind: 'CALLRESULT' });
  const stops = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((r) => r.cp === id && r.action === 'StopTransaction').length;
  const until = Date.now() + 10000;
  while (stops() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  s = await evc('state');
  check(stops() === 2 && s.networkFaults.duplicated >= 1,
    `duplicate=100: the CSMS received the StopTransaction twice (${s.networkFaults.duplicated} frames duplicated)`);
  s = await evc('networkFaults', '');
  check(s.networkFaults === null, 'networkFaults(\'\'): the link is clean again');
  s = await evc('factoryReset');
  check((await refused('networkFaults', 'drop=5')) === 'evc.networkFaults: network faults are for a real CSMS: connect to one first',
    'network faults are refused against the demo CSMS');
  check(s.home === 'demo' && s.id === 'TC-1000123456', 'factoryReset(): the demo CSMS and the default id again');

  // ---- a shared link reproduces the setup, never carries the key ----
  const shared = await browser.newPage();
  shared.on('pageerror', (e) => errors.push(String(e)));
  await shared.goto(`${pageUrl}#url=&id=TC-SHARE-0001&variant=socket&speed=10&ev=16000x1`);
  await shared.evaluate(() => window.evc.ready());
  s = await shared.evaluate(() => window.evc.state());
  check(s.id === 'TC-SHARE-0001' && s.variant === 'socket' && s.speed === 10 && s.home === 'demo',
    `a link sets id, variant and speed (${s.id}, ${s.variant}, ${s.speed}×)`);
  await shared.evaluate(() => window.evc.configure({ key: 'a-secret-key-0123456789' }));
  const link = await shared.inputValue('#share-link');
  check(link.endsWith('#url=&id=TC-SHARE-0001&variant=socket&speed=10&ev=16000x1') && !link.includes('secret'),
    `the page's link is the same setup and has no key: ${link}`);
  // (A new fragment on the same page is no new load: go away first.)
  await shared.goto('about:blank');
  await shared.goto(`${pageUrl}#id=TC-SHARE-0002&speed=0`);
  await shared.waitForSelector('#link-error');
  check((await shared.textContent('#link-error')) === 'The link was not applied: the link\'s speed must be 1 to 3600',
    'a broken link is refused, saying which field');
  await shared.goto('about:blank');
  await shared.goto(`${pageUrl}#key=abc`);
  await shared.waitForSelector('#link-error');
  check((await shared.textContent('#link-error')).includes('never carries the AuthorizationKey'), 'a link with a key is refused');
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}

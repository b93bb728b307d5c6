// The page against an independent CSMS (tests/web/csms.py, PyPI `ocpp`) over a real
// WebSocket, in three sessions (each its own browser context, so its own storage):
// 1. connect, plug, tap, charge, then reload the tab mid-transaction (a power cycle of
//    the box): every transaction message reaches the CSMS exactly once, each after the
//    storage write holding the state it depends on; message ids differ across boots; the
//    trace's time column shows time since the page started.
// 2. the CSMS changes AuthorizationKey and raises SecurityProfile to 1: the box comes back
//    with the new key in its Basic auth.
// 3. the CSMS resets the box and closes its socket, 30 times: no error in the console.
// 4. firmware: the CSMS sends UpdateFirmware for a file on a real HTTP server on
//    127.0.0.1 (run by csms.py): once from a server that sends CORS headers (the tab
//    downloads, verifies and installs it, reboots with 1.13.0, then uploads its
//    diagnostics there), once from one that does not (the reason says CORS).
// 5. certificates: the CSMS installs its own P-256 root CA, asks for a certificate, checks
//    the box's CSR (signature, CN = the charge point id) and signs a leaf for its key: the
//    box accepts it, and the page's certificate view shows the pending CSR (the one the
//    CSMS received), then the box's certificate and the installed root.
// 6. mistakes: the CSMS makes every kind of mistake the box tells apart, on purpose: the
//    header's count, the report's entries (kind, action, message id, each linked to its
//    frame in the trace), its JSON and text exports and `window.evc.mistakeReport()`
//    agree with what the CSMS logged it sent.
// 8. hold: expert mode holds the CSMS's four CALLs; one is answered by hand, one with a
//    CALLERROR, one dropped (it times out at the CSMS), one let through to the box late.
// 7. reconnects: the link drops and comes back 1,000 times (box time at 60×, so each
//    reconnect delay of 1–1.5 s is a few tens of ms): every connection reaches the CSMS,
//    the registered box never boots again, it ends connected and in standby, the trace
//    stays bounded, no page error.
// Usage: node tests/web/live.mjs PAGE_URL CSMS_WS_URL CSMS_LOG [SESSION,...]
// (SESSION: reload, key, reset, firmware, certificates, mistakes, hold, reconnects; all of them
// when none is given; RECONNECTS=N changes the 1,000)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.PLAYWRIGHT_CORE ?? import.meta.url);
const { chromium } = require('playwright-core');
const [page_url, csms_url, log, sessions = 'reload,key,reset,firmware,certificates,mistakes,hold,reconnects'] = process.argv.slice(2);
const run = (name) => sessions.split(',').includes(name);
const fail = (msg) => { console.error(`live: FAIL: ${msg}`); process.exit(1); };
const check = (ok, msg) => { if (!ok) fail(msg); console.log(`live: ok   ${msg}`); };
const waitFor = async (what, cond, ms = 15000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (cond()) return; await new Promise((r) => setTimeout(r, 100)); }
  fail(`timed out waiting for ${what}`);
};
// What the CSMS received from one charge point.
const csms = (cp) => {
  const received = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.cp === cp);
  return { received, all: (action) => received().filter((r) => r.action === action), count: (action) => received().filter((r) => r.action === action).length };
};

// Records, in the page, every storage write and every frame sent, in order.
function recordOrder() {
  const seq = [];
  window.__seq = seq;
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) { seq.push({ op: 'store', key, value: String(value) }); return setItem.call(this, key, value); };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { seq.push({ op: 'send', data: String(data) }); return send.call(this, data); };
}

// Each frame that carries a transaction message must come after a write of the state
// whose outbox holds it.
function checkOrder(seq, label) {
  let checked = 0;
  seq.forEach((e, i) => {
    if (e.op !== 'send') return;
    let frame;
    try { frame = JSON.parse(e.data); } catch { return; }
    if (frame[0] !== 2 || !['StartTransaction', 'StopTransaction'].includes(frame[2])) return;
    const before = seq.slice(0, i).filter((w) => w.op === 'store' && w.key === 'evc.state').pop();
    const state = before && JSON.parse(before.value);
    const held = state?.outbox?.some((c) => c.action === frame[2] && JSON.parse(c.payload).timestamp === frame[3].timestamp);
    if (!held) fail(`${label}: the ${frame[2]} frame went out before a storage write holding it (${before ? 'the last write before it does not hold it' : 'no write before it'})`);
    checked += 1;
  });
  return checked;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function connect(page, id) {
  await page.goto(page_url);
  await page.waitForSelector('#csms-url');
  await page.fill('#csms-url', csms_url);
  await page.fill('#cp-id', id);
  await page.click('#connect');
}

try {
  // ---- 1. a session with a reload mid-transaction ----
  if (run('reload')) {
  const context = await browser.newContext();
  await context.addInitScript(recordOrder);
  const page = await context.newPage();
  const { received, count, all } = csms('TC-LIVE-0001');
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

  const times = await page.$$eval('#trace .time', (cells) => cells.map((c) => ({ text: c.textContent, title: c.getAttribute('title') })));
  check(times.length > 0 && times.every((t) => /^ *\d{1,6}\.\d s$/.test(t.text)), `the trace shows seconds since the page started (${times.map((t) => t.text.trim()).slice(0, 3).join(', ')})`);
  check(times.every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(t.title ?? '')), `and the wall time on hover (${times[0].title})`);

  await page.click('text=60×');
  await page.click('#plug');
  await page.click('text=Tap 04A2B3C4D5');
  await waitFor('StartTransaction at the CSMS', () => count('StartTransaction') === 1);
  check(true, 'the CSMS got the StartTransaction');
  await waitFor('two meter samples and the remote stop', () => count('StopTransaction') === 1, 30000);
  const samples = all('MeterValues').filter((r) => r.payload.transaction_id === 1);
  check(samples.length >= 2, `charging with meter values (${samples.length} samples for transaction 1)`);
  const first = all('StopTransaction')[0];
  check(first.payload.reason === 'Remote' && first.payload.transaction_id === 1, `the CSMS stopped it remotely (${first.payload.reason})`);
  await page.click('#unplug');
  await page.waitForTimeout(500);
  const statuses = all('StatusNotification').filter((r) => r.payload.connector_id === 1).map((r) => r.payload.status);
  check(statuses.slice(-2).join(' > ') === 'Finishing > Available', `every transition reported: ${statuses.join(' > ')}`);

  await page.click('#plug');
  await page.click('text=Tap 04A2B3C4D5');
  await waitFor('the second StartTransaction', () => count('StartTransaction') === 2);
  await page.waitForTimeout(1500);
  const before = checkOrder(await page.evaluate(() => window.__seq), 'before the reload');
  check(before >= 3, `each StartTransaction/StopTransaction left after the storage write holding it (${before} frames)`);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#link')?.textContent.includes('connected to'));
  await waitFor('the second boot', () => count('BootNotification') === 2);
  await waitFor('the PowerLoss stop after the reload', () => count('StopTransaction') >= 2);
  await page.waitForTimeout(2000);
  const stops = all('StopTransaction');
  check(stops.length === 2, `exactly one StopTransaction per transaction (${stops.length})`);
  check(stops[1].payload.reason === 'PowerLoss' && stops[1].payload.transaction_id === 2, `the reload is a power cut: reason ${stops[1].payload.reason}, transaction ${stops[1].payload.transaction_id}`);
  check(count('StartTransaction') === 2, 'and no StartTransaction was sent twice');
  const after = checkOrder(await page.evaluate(() => window.__seq), 'after the reload');
  check(after >= 1, `the PowerLoss StopTransaction left after the storage write holding it (${after} frames)`);
  const bootIds = all('BootNotificationId').map((r) => r.payload.id);
  check(bootIds.length === 2 && bootIds[0] !== bootIds[1], `message ids differ across page loads (${bootIds.join(', ')})`);
  await context.close();
  }

  // ---- 2. the CSMS changes the key and raises the profile ----
  if (run('key')) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { count, all } = csms('TC-KEY-0001');
    await connect(page, 'TC-KEY-0001');
    await waitFor('the CSMS raising SecurityProfile', () => count('SecurityProfileAnswer') === 1);
    check(all('AuthorizationKeyAnswer')[0]?.payload.status === 'Accepted' && all('SecurityProfileAnswer')[0].payload.status === 'Accepted',
      'the box accepted the new AuthorizationKey and SecurityProfile 1');
    await waitFor('a handshake with Basic auth after the 401', () => count('AuthHeader') >= 1, 30000);
    const auth = all('AuthHeader');
    check(auth.every((a) => a.payload.user === 'TC-KEY-0001' && a.payload.key_matches), `the box came back with the CSMS's new key (${JSON.stringify(auth.map((a) => a.payload))})`);
    await page.waitForFunction(() => document.querySelector('#link').textContent.includes('connected to'));
    await page.click('text=Tap 04A2B3C4D5');
    await waitFor('an Authorize over the authenticated connection', () => count('Authorize') === 1);
    check(true, 'and works over the authenticated connection (a card was authorized)');
    await context.close();
  }

  // ---- 3. resets and closes, many times ----
  if (run('reset')) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const { count } = csms('TC-RESET-0001');
    await connect(page, 'TC-RESET-0001');
    await waitFor('the first boot', () => count('BootNotification') >= 1);
    await page.click('text=60×');
    await waitFor('30 resets and closes', () => count('Connected') >= 31, 240000);
    check(count('ResetAnswer') === 15 && count('ClosedByCsms') === 15, `the CSMS reset the box 15 times and closed its socket 15 times (${count('ResetAnswer')}, ${count('ClosedByCsms')})`);
    await page.waitForFunction(() => document.querySelector('#link').textContent.includes('connected to'));
    await page.waitForTimeout(1000);
    check(errors.length === 0, `no errors in the console through them (${errors.length}: ${errors.slice(0, 3).join(' | ')})`);
    await context.close();
  }

  // ---- 4. firmware and diagnostics over real HTTP ----
  if (run('firmware')) {
    const files = () => csms('-').received();
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const { all } = csms('TC-FW-0001');
    const statuses = () => all('FirmwareStatusNotification').map((r) => r.payload.status);
    await connect(page, 'TC-FW-0001');
    await waitFor('the update from the server with CORS headers installed', () => statuses().includes('Installed'), 60000);
    check(statuses().join(' > ') === 'Downloading > Downloaded > Installing > Installed', `the CSMS heard ${statuses().join(' > ')}`);
    const boots = all('BootNotification');
    check(boots.length === 2 && boots[1].payload.firmware_version === '1.13.0', `the box rebooted with firmwareVersion ${boots.at(-1).payload.firmware_version}`);
    check(files().some((r) => r.action === 'FileRequest' && r.payload.cors && r.payload.method === 'GET' && r.payload.path.endsWith('/evc-1.13.0.fw')), 'the file came from the HTTP server');
    await page.waitForFunction(() => /^Firmware 1\.13\.0/.test(document.querySelector('#firmware')?.textContent ?? ''), null, { timeout: 10000 });
    check(true, `the panel shows it: "${await page.textContent('#firmware')}"`);
    const trace = await page.textContent('#trace');
    check(/download of \S+ from http:\/\/127\.0\.0\.1:\d+\/firmware\/evc-1\.13\.0\.fw started/.test(trace) && /download of \S+ done: \d+ bytes/.test(trace), 'the trace shows the download start and end');
    check(trace.includes('verified: firmware 1.13.0 for TeltoCharge'), 'and the verified image');
    await waitFor('the diagnostics upload', () => all('DiagnosticsStatusNotification').some((r) => r.payload.status !== 'Uploading'), 30000);
    const diag = all('DiagnosticsStatusNotification').map((r) => r.payload.status).join(' > ');
    const name = all('GetDiagnosticsAnswer')[0]?.payload.file_name;
    const upload = files().find((r) => r.action === 'Upload' && r.payload.cors);
    check(diag === 'Uploading > Uploaded' && upload?.payload.field === 'file' && upload.payload.filename === name && upload.payload.size > 0,
      `GetDiagnostics: ${diag}; the server got part "${upload?.payload.field}" named ${upload?.payload.filename} (${upload?.payload.size} bytes)`);
    await context.close();

    const plain = await browser.newContext();
    const page2 = await plain.newPage();
    page2.on('pageerror', (e) => errors.push(String(e)));
    const nocors = csms('TC-FW-NOCORS-0001');
    const failed = () => nocors.all('FirmwareStatusNotification').map((r) => r.payload.status);
    await connect(page2, 'TC-FW-NOCORS-0001');
    await waitFor('the download without CORS headers failing', () => failed().includes('DownloadFailed'), 60000);
    check(failed().join(' > ') === 'Downloading > DownloadFailed', `without CORS headers: ${failed().join(' > ')}`);
    await page2.waitForFunction(() => document.querySelector('#trace')?.textContent.includes('without CORS headers'), null, { timeout: 10000 });
    const why = (await page2.textContent('#trace')).match(/download of \S+ failed: ([^\n]*?Access-Control-Allow-Origin \([^)]*\))/)?.[1];
    check(why?.startsWith('the server at http://127.0.0.1:') && why.includes('answered, but without CORS headers this page may not read it'), `the reason says CORS: "${why}"`);
    await waitFor('the diagnostics upload without CORS headers failing', () => nocors.all('DiagnosticsStatusNotification').some((r) => r.payload.status === 'UploadFailed'), 30000);
    check((await page2.textContent('#trace')).match(/upload of \S+ failed: the server at \S+ answered, but without CORS headers/), 'and so does the failed upload\'s');
    check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
    await plain.close();
  }

  // ---- 5. certificates: the CSMS's root, the box's CSR, CertificateSigned ----
  if (run('certificates')) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const id = 'TC-CERT-0001';
    const { all, count } = csms(id);
    const ca = csms('-').all('CaCertificate')[0]?.payload;
    check(ca !== undefined, `the CSMS made its root CA (${ca?.subject}, serial ${ca?.serial})`);
    await connect(page, id);
    await waitFor('the InstallCertificate answer', () => count('InstallCertificateAnswer') === 1);
    check(all('InstallCertificateAnswer')[0].payload.status === 'Accepted', 'InstallCertificate of the CSMS\'s P-256 root: Accepted');
    await waitFor('the GetInstalledCertificateIds answer', () => count('GetInstalledCertificateIdsAnswer') === 1);
    const ids = all('GetInstalledCertificateIdsAnswer')[0].payload;
    const hash = ids.certificate_hash_data?.[0];
    check(ids.status === 'Accepted' && hash?.serial_number?.toLowerCase() === ca.serial && hash?.issuer_name_hash === ca.issuer_name_hash,
      `GetInstalledCertificateIds: ${ids.status}, serialNumber ${hash?.serial_number}, issuerNameHash as the CSMS computes it`);
    await page.waitForFunction((serial) => document.querySelector('#root-certificate')?.textContent.includes(serial), ca.serial, { timeout: 5000 });
    check((await page.textContent('#root-certificate')).includes(ca.issuer_name_hash), 'the certificate view shows the root with its hash data');
    await waitFor('the box\'s CSR at the CSMS', () => count('CsrChecked') === 1);
    const csr = all('CsrChecked')[0].payload;
    check(all('ExtendedTriggerMessageAnswer')[0]?.payload.status === 'Accepted', 'ExtendedTriggerMessage SignChargePointCertificate: Accepted');
    check(csr.signature_valid && csr.cn?.length === 1 && csr.cn[0] === id, `the CSR's signature is valid and its CN is the charge point id (${csr.subject})`);
    await page.waitForSelector('#csr', { timeout: 5000 });
    const shown = await page.inputValue('#csr');
    check(shown.trim() === csr.csr.trim(), 'the page shows the pending CSR, the one the CSMS received');
    await waitFor('the CertificateSigned answer', () => count('CertificateSignedAnswer') === 1);
    check(all('CertificateSignedAnswer')[0].payload.status === 'Accepted', 'CertificateSigned with a leaf signed by the CSMS\'s CA: Accepted');
    await page.waitForFunction((cn) => document.querySelector('#own-certificate .subject')?.textContent.includes(`CN=${cn}`), id, { timeout: 5000 });
    const own = await page.textContent('#own-certificate .subject');
    const ownIssuer = await page.textContent('#own-certificate .issuer');
    check(ownIssuer === 'CN=csms.py Test Root CA, O=EVC Playground Test CSMS', `the certificate view shows the box's certificate: ${own}, issuer ${ownIssuer}`);
    const root = await page.textContent('#root-certificate .subject');
    check(root === ownIssuer, `and the installed root: ${root}`);
    check(!(await page.$('#csr')), 'and no pending CSR any more');
    const text = await page.textContent('main');
    check(text.includes('cannot present a client certificate') && !text.includes('PRIVATE KEY'), 'the tab says profile 3 is not possible here, and shows no private key');
    check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
    await context.close();
  }

  // ---- 6. a CSMS that makes every kind of mistake on purpose ----
  if (run('mistakes')) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const id = 'TC-MISTAKE-0001';
    const { all } = csms(id);
    const kinds = ['malformed-frame', 'schema-violation', 'unsupported-call', 'unknown-or-late-answer',
      'wrong-answer-shape', 'error-answer', 'answer-timeout', 'senseless-request'];
    await connect(page, id);
    await page.waitForSelector('#mistake-badge');
    await waitFor('the CSMS sending its mistakes', () => all('MistakeSent').length === kinds.length, 30000);
    const sent = all('MistakeSent').map((r) => r.payload);
    // The box's CALL not answered times out after 30 s.
    await page.waitForFunction((n) => document.querySelectorAll('#mistake-list li').length >= n, kinds.length, { timeout: 60000 });
    const shown = await page.$$eval('#mistake-list li', (lis) => lis.map((li) => ({
      kind: li.dataset.kind,
      href: li.querySelector('a.frame-link')?.getAttribute('href') ?? null,
      text: li.textContent,
    })));
    for (const kind of kinds) {
      const made = sent.find((m) => m.kind === kind);
      const entry = shown.find((e) => e.kind === kind);
      check(entry !== undefined, `the report lists the ${kind} (${entry?.text})`);
      if (made.id !== null) {
        const dir = kind === 'answer-timeout' ? 'out' : 'in';
        check(entry.href === `#f-${dir}-${made.id}`, `it links to its frame (${entry.href})`);
        const target = await page.$(`[id="${entry.href.slice(1)}"]`);
        check(target !== null && (await target.textContent()).length > 0, `the trace holds that frame (${entry.href})`);
      }
    }
    const count = Number(await page.textContent('#mistake-count'));
    check(count === shown.length && count >= kinds.length, `the count is ${count}`);
    check((await page.textContent('#mistake-badge')).trim() === `CSMS mistakes: ${count}`, 'and the header says so');
    const schema = shown.find((e) => e.kind === 'schema-violation');
    check(schema.text.includes('ChangeAvailability') && schema.text.includes('connectorId'), `the schema violation names its field (${schema.text})`);
    // Clicking a link brings its frame into view.
    await page.click('#mistake-list li[data-kind="schema-violation"] a.frame-link');
    await page.waitForFunction(() => location.hash === '#f-in-mk-schema', null, { timeout: 5000 });
    check(await page.$eval('#f-in-mk-schema', (el) => el.textContent.includes('ChangeAvailability')), 'a click on the link goes to the frame');
    // The exports.
    const decode = async (sel) => decodeURIComponent((await page.getAttribute(sel, 'href')).replace(/^data:[^,]*,/, ''));
    const json = JSON.parse(await decode('#mistakes-json'));
    check(json.chargePoint === id && json.total === count && json.mistakes.length === count, `the JSON export holds ${json.mistakes.length} mistakes of ${json.chargePoint}`);
    check(kinds.every((k) => json.counts[k] >= 1), `with a count per kind (${JSON.stringify(json.counts)})`);
    check(sent.filter((m) => m.id).every((m) => json.mistakes.some((e) => e.kind === m.kind && e.messageId === m.id)),
      'every mistake the CSMS made is there with its message id');
    check(json.mistakes.every((e) => !Number.isNaN(Date.parse(e.time)) && e.title && e.detail), 'each with its time, title and detail');
    const report = await decode('#mistakes-report');
    check(report.startsWith(`CSMS mistakes seen by charge point ${id}: ${count}`) && report.includes('Payload breaks the schema (schema-violation): 1')
      && report.includes('mk-stop'), 'the readable report lists them by kind');
    const api = await page.evaluate(() => window.evc.mistakeReport());
    check(JSON.stringify(api.counts) === JSON.stringify(json.counts), 'window.evc.mistakeReport() says the same');
    if (process.env.MISTAKES_SCREENSHOT) {
      // The README's picture of the report (the header's count and the report).
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.evaluate(() => { document.querySelector('#mistakes').scrollIntoView(); document.querySelector('#mistake-list').scrollTop = 0; });
      await page.locator('#mistakes').screenshot({ path: process.env.MISTAKES_SCREENSHOT });
    }
    const listed = await page.evaluate(() => window.evc.mistakes());
    check(listed.find((m) => m.kind === 'schema-violation')?.frame?.includes('"one"'), 'window.evc.mistakes() carries the frame at fault');
    // Expert mode: the tester breaks a frame on purpose; the CSMS's CALLERROR is theirs.
    await page.fill('#raw-frame', '[2,"expert-1","Heartbeat",{"bogus":1}]');
    await page.click('#send-raw');
    await page.waitForFunction(() => document.querySelector('[id="f-in-expert-1"]'), null, { timeout: 10000 });
    const refused = await page.textContent('[id="f-in-expert-1"]');
    check(refused.includes('expert-1') && (await page.$('[id="f-out-expert-1"]')) !== null,
      `expert mode: the broken Heartbeat went out as typed and the CSMS answered it (${refused.trim().slice(0, 120)})`);
    check(Number(await page.textContent('#mistake-count')) === count, 'and the answer to the tester\'s own CALL is no mistake of the CSMS');
    check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
    await context.close();
  }

  // ---- 7. a thousand reconnects ----
  // ---- 8. expert mode holds the CSMS's CALLs ----
  if (run('hold')) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const id = 'TC-HOLD-0001';
    const { all } = csms(id);
    await connect(page, id);
    await page.waitForFunction(() => document.querySelector('#link').textContent.includes('connected to'));
    await waitFor('the CSMS\'s request after the boot answered', () => all('ChangeConfigurationAnswer').length === 1);
    await page.check('#hold-calls');
    // The composer tells the CSMS to send its four CALLs.
    await page.fill('#raw-frame', '[2,"ready-1","DataTransfer",{"vendorId":"Teltonika","messageId":"hold-ready"}]');
    await page.click('#send-raw');
    await page.waitForFunction(() => document.querySelectorAll('#held li').length === 4, null, { timeout: 15000 });
    const held = await page.$$eval('#held li', (lis) => lis.map((li) => li.dataset.id));
    check(held.join() === 'hold-a,hold-b,hold-c,hold-d', `the page holds the CSMS's four CALLs, oldest first (${held})`);
    check(JSON.stringify(await page.evaluate(() => evc.held().map((c) => c.action))) === '["GetConfiguration","DataTransfer","ChangeConfiguration","ClearCache"]',
      'and window.evc.held() lists them');
    // By hand: a result of our own for hold-b, a CALLERROR for hold-c.
    await page.click('#held li[data-id="hold-b"] .by-hand');
    check((await page.inputValue('#raw-frame')) === '[3,"hold-b",{"status":"Accepted"}]', 'Answer by hand writes a CALLRESULT for that id in the composer');
    await page.fill('#raw-frame', '[3,"hold-b",{"status":"Accepted","data":"written by hand"}]');
    await page.click('#send-raw');
    await page.click('#held li[data-id="hold-c"] .with-error');
    await page.click('#send-raw');
    await page.click('#held li[data-id="hold-d"] .drop');
    await page.waitForTimeout(1500);
    check(all('HoldAnswer').length === 2, 'hold-a still waits while the others were answered or dropped');
    await page.click('#held li[data-id="hold-a"] .release');
    await waitFor('the late answer and the time-out', () => all('HoldTimeout').length === 1 && all('HoldAnswer').length === 3, 20000);
    const answers = Object.fromEntries(all('HoldAnswer').map((r) => [r.payload.id, r.payload]));
    check(answers['hold-a'].frame[0] === 3 && JSON.stringify(answers['hold-a'].frame[2]).includes('HeartbeatInterval') && answers['hold-a'].after_ms >= 1500,
      `the box answered hold-a itself, late (${answers['hold-a'].after_ms} ms): ${JSON.stringify(answers['hold-a'].frame)}`);
    check(answers['hold-b'].frame[2].data === 'written by hand', 'the CSMS got the result written by hand');
    check(answers['hold-c'].frame[0] === 4 && answers['hold-c'].frame[2] === 'GenericError', 'and the CALLERROR');
    check(all('HoldTimeout')[0].payload.id === 'hold-d', 'the dropped CALL timed out at the CSMS');
    check(!(await page.$('#held li')), 'nothing is held any more');
    const config = await page.textContent('#config');
    check(!/HeartbeatInterval\s*120/.test(config), 'the ChangeConfiguration answered by hand never reached the box');
    await page.uncheck('#hold-calls');
    const mistakes = await page.evaluate(() => evc.mistakes().length);
    const ids = await page.$$eval('#trace li[id]', (lis) => lis.map((li) => li.id));
    check(ids.length > 0 && new Set(ids).size === ids.length, `the trace's row ids are unique (${ids.length})`);
    check(mistakes === 0, `none of it is counted as a mistake of the CSMS (${mistakes})`);
    check(errors.length === 0, `no page errors (${errors.join('; ')})`);
    await context.close();
  }

  if (run('reconnects')) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const id = 'TC-RECONNECT-0001';
    const n = Number(process.env.RECONNECTS ?? 1000);
    const { count } = csms(id);
    await connect(page, id);
    await page.evaluate(() => window.evc.waitForConnected({ timeoutMs: 15000 }));
    await page.evaluate(() => window.evc.setSpeed(60));
    await page.waitForFunction(() => window.evc.state().led === 'Available', null, { timeout: 15000 });
    const before = count('Connected');
    const started = Date.now();
    const end = await page.evaluate(async (times) => {
      for (let i = 0; i < times; i += 1) {
        window.evc.dropLink();
        await window.evc.waitForConnected({ timeoutMs: 30000 });
      }
      // Standby again once the CSMS has answered what the box says on a new connection.
      for (let i = 0; i < 100 && window.evc.state().led !== 'Available'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
      }
      return { state: window.evc.state(), frames: window.evc.trace().length };
    }, n);
    console.log(`live: ${n} reconnects in ${Date.now() - started} ms`);
    await waitFor('every connection at the CSMS', () => count('Connected') >= before + n, 30000);
    check(count('Connected') === before + n, `the CSMS saw ${count('Connected') - before} new connections for ${n} dropped links`);
    check(count('BootNotification') === 1, `a registered box does not boot again on a new connection (${count('BootNotification')} BootNotification)`);
    check(end.state.connected && end.state.status === 'Available' && end.state.led === 'Available',
      `the box ends connected, ${end.state.status}, its light ${end.state.led}`);
    check(end.frames <= 1000, `the trace stays bounded (${end.frames} frames kept)`);
    check(errors.length === 0, `no page errors or console errors (${errors.slice(0, 3).join(' | ')})`);
    await context.close();
  }
} finally {
  await browser.close();
}

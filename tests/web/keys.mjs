// The panel from the keyboard and on a projector (www/evc.js's keys, www/style.css), in
// headless Chromium against the demo CSMS: on a 1024 x 768 projector the page is one
// column with nothing cut off; Tab reaches the panel's buttons with a visible focus
// ring and Enter presses them; the keys P, 1-4, F, S and L do what their buttons do
// (and nothing while typing in a field); the large panel scales the page 1.5x.
// Usage: node tests/web/keys.mjs http://127.0.0.1:PORT/
// Exits non-zero with a message on the first failed check.
import { createRequire } from 'node:module';

const require = createRequire(process.env.PLAYWRIGHT_CORE ?? import.meta.url);
const { chromium } = require('playwright-core');

const url = process.argv[2];
const fail = (msg) => { console.error(`keys: FAIL: ${msg}`); process.exit(1); };
const check = (ok, msg) => { if (!ok) fail(msg); console.log(`keys: ok   ${msg}`); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.evaluate(() => window.evc.ready());
  await page.evaluate(() => window.evc.waitForStatus('Available'));
  const state = () => page.evaluate(() => window.evc.state());

  // A 1024 px projector: one column, nothing wider than the screen.
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    box: document.querySelector('section.box').getBoundingClientRect(),
    csms: document.querySelector('section.csms').getBoundingClientRect(),
  }));
  check(widths.page <= 1024, `nothing is cut off at 1024 px (the page is ${widths.page} px wide)`);
  check(widths.csms.top >= widths.box.bottom && Math.abs(widths.csms.left - widths.box.left) < 1,
    'the settings sit under the panel (one column)');

  // Tab from the top: the bar's "Large panel" first, then on to the plug button.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'large', 'Tab reaches the Large panel button first');
  let tabs = 0;
  while (await page.evaluate(() => document.activeElement.id) !== 'plug') {
    await page.keyboard.press('Tab');
    if (++tabs > 40) fail('Tab did not reach the plug button within 40 presses');
  }
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
  });
  check(ring === 'solid 3px rgb(245, 166, 35)', `the focused button shows the focus ring (${ring}, after ${tabs + 1} Tabs)`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#unplug');
  check((await state()).plugged, 'Enter on the focused button plugs the EV in');

  // The keys, each as its button.
  await page.keyboard.press('p');
  await page.waitForSelector('#plug');
  check(!(await state()).plugged, 'P unplugs');
  await page.keyboard.press('p');
  await page.waitForSelector('#unplug');
  check((await state()).plugged, 'P plugs in again');
  const firstCard = (await page.textContent('.cards button.card')).replace('Tap ', '');
  await page.keyboard.press('1');
  await page.waitForSelector('#card-result');
  check((await page.textContent('#card-result')).startsWith(firstCard), `1 taps the first card (${await page.textContent('#card-result')})`);
  await page.evaluate(() => window.evc.waitForStatus('Charging'));
  check(true, 'the tapped card started charging');
  // The time's speed buttons (the EV's options are button.speed too): the one that is on.
  const ON = () => [...document.querySelectorAll('button.speed.on')].find((b) => b.textContent.endsWith('×'))?.textContent;
  const speedOn = () => page.evaluate(ON);
  // A key's button redraws the page on the next frame.
  const speedIs = async (v) => {
    await page.waitForFunction(`(${ON})() === ${JSON.stringify(v)}`, null, { timeout: 5000 }).catch(() => {});
    return await speedOn() === v;
  };
  await page.keyboard.press('f');
  check(await speedIs('10×'), 'F speeds up to 10×');
  await page.keyboard.press('f');
  check(await speedIs('60×'), 'F again: 60×');
  await page.keyboard.press('f');
  await page.waitForTimeout(300);
  check(await speedOn() === '60×', 'F at 60× stays at 60×');
  await page.keyboard.press('s');
  check(await speedIs('10×'), 'S slows down to 10×');
  // Typing in a field is typing, not keys.
  await page.fill('#custom-card', '');
  await page.focus('#custom-card');
  await page.keyboard.type('PLEF1');
  check(await page.inputValue('#custom-card') === 'PLEF1', 'letters typed into the card field stay in it');
  const typed = await state();
  check(typed.plugged && await speedOn() === '10×'
    && !(await page.evaluate(() => document.body.classList.contains('large'))), 'and press nothing');
  await page.evaluate(() => document.activeElement.blur());

  // The large panel: L, and the button.
  // Its box on the screen (CSS zoom included).
  const wallbox = () => page.$eval('.wallbox', (el) => el.getBoundingClientRect().width);
  const before = await wallbox();
  await page.keyboard.press('l');
  const pressed = await page.getAttribute('#large', 'aria-pressed');
  check(await page.evaluate(() => document.body.classList.contains('large')) && pressed === 'true',
    'L turns the large panel on (the button says it is pressed)');
  const scale = (await wallbox()) / before;
  check(Math.abs(scale - 1.5) < 0.05, `the wallbox is drawn 1.5× as large (${scale.toFixed(2)}×)`);
  await page.click('#large');
  check(!(await page.evaluate(() => document.body.classList.contains('large')))
    && await page.getAttribute('#large', 'aria-pressed') === 'false', 'the Large panel button turns it off');
  await page.keyboard.press('p');
  await page.waitForSelector('#plug');
  check(!(await state()).plugged, 'the keys still work after the button was clicked');

  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}

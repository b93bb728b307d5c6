// window.evc: the page's test API for Playwright / Puppeteer, typed by www/evc.d.ts (and, at the
// end of this file, the keyboard and the large panel).
// Each verb is one call into the page's wasm (window.__evc, installed when the panel
// mounts); a failed verb throws an Error naming the verb and why. Waits poll every 50 ms.
(() => {
  const call = (verb, arg = {}) => {
    if (!window.__evc) throw new Error('evc: the page is not ready yet (await evc.ready())');
    const reply = JSON.parse(window.__evc(verb, JSON.stringify(arg)));
    if ('error' in reply) throw new Error(`evc.${verb}: ${reply.error}`);
    return reply.ok;
  };
  const until = async (what, probe, timeoutMs = 30000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined && found !== null && found !== false) return found;
      if (Date.now() > end) throw new Error(`evc: no ${what} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  // [ms, at, fromCp, text] → a Frame: its kind, id and action (a result's is its CALL's).
  const KINDS = { 2: 'CALL', 3: 'CALLRESULT', 4: 'CALLERROR' };
  const trace = (since = 0) => {
    const calls = new Map();
    return call('trace').map(([ms, at, fromCp, text]) => {
      let m = null;
      try { m = JSON.parse(text); } catch { /* kept as malformed */ }
      const kind = (Array.isArray(m) && KINDS[m[0]]) || 'malformed';
      const id = Array.isArray(m) && typeof m[1] === 'string' ? m[1] : '';
      const from = fromCp ? 'cp' : 'csms';
      let action = null;
      if (kind === 'CALL') { action = String(m[2]); calls.set(`${from} ${id}`, action); }
      else if (kind !== 'malformed') action = calls.get(`${fromCp ? 'csms' : 'cp'} ${id}`) ?? null;
      return { ms, at, from, kind, id, action, text };
    }).filter((f) => f.ms >= since);
  };
  // What the CSMS got wrong as the box saw it: the engine's report (every kind it tells
  // apart), each entry with the frame at fault from the trace when it is still there.
  const mistakeReport = () => call('mistakes');
  const mistakes = () => {
    const frames = trace();
    return mistakeReport().mistakes.map((m) => {
      const from = m.kind === 'answer-timeout' ? 'cp' : 'csms';
      const f = m.messageId === null ? undefined
        : frames.findLast((x) => x.id === m.messageId && x.from === from);
      return { ...m, at: m.time, what: m.title, frame: f?.text ?? null };
    });
  };
  const frame = (f, action, o) => f.action === action && (o.from === undefined || f.from === o.from)
    && (o.kind === undefined || f.kind === o.kind);
  window.evc = {
    ready: (timeoutMs) => until('mounted page', () => window.__evc !== undefined, timeoutMs),
    state: () => call('state'),
    configure: (setup) => call('configure', setup),
    plug: (ev) => call('plug', ev ? { ev } : {}),
    unplug: () => call('unplug'),
    tap: (idTag) => call('tap', { idTag }),
    pauseEv: (paused = true) => call('pause', { paused }),
    fault: (fault, active = true) => call('fault', { fault, active }),
    setSpeed: (speed) => call('speed', { speed }),
    dropLink: () => call('dropLink'),
    offline: (on = true) => call('offline', { on }),
    setScenarioLink: (scenario = null) => call('scenarioLink', scenario === null ? {} : { scenario }),
    networkFaults: (spec = '') => call('networkFaults', { spec }),
    csms: (action, payload = {}) => call('csms', { action, payload }),
    sendRaw: (text) => call('sendRaw', { text }),
    hold: (on = true) => call('hold', { on }),
    held: () => call('held'),
    release: (id) => call('release', { id }),
    dropHeld: (id) => call('dropHeld', { id }),
    trace,
    mistakes,
    mistakeReport,
    factoryReset: () => call('factoryReset'),
    waitForStatus: (status, o = {}) => until(`status ${status}`,
      () => { const s = call('state'); return s.status === status ? s : undefined; }, o.timeoutMs),
    waitForConnected: (o = {}) => until('connection',
      () => { const s = call('state'); return s.connected ? s : undefined; }, o.timeoutMs),
    waitForFrame: (action, o = {}) => until(`${o.from ?? 'any'} ${o.kind ?? 'frame'} ${action}`,
      () => trace(o.since ?? 0).find((f) => frame(f, action, o)), o.timeoutMs),
  };
})();

// The panel from the keyboard and on a projector (in this file to spare the page a
// request and ~90 B of its weight; it does not touch window.evc). Each key presses a
// button the page already shows (so a key does exactly what a click does), never while
// typing in a field or with Ctrl / Alt / Meta held, nor again while a key is held down:
//   P plug in or unplug · 1-4 tap the card of that place
//   F faster (1x → 10x → 60x) · S slower · L the large panel (for a projector)
// It puts a bar above the page (#keys: the "Large panel" button and these keys); the
// large panel is the class `large` on <body> (www/style.css), for this page load.
(() => {
  const bar = document.createElement('nav');
  bar.id = 'keys';
  bar.innerHTML = '<button id="large" aria-keyshortcuts="L" aria-pressed="false">Large panel</button> Keys: '
    + 'P plug / unplug · 1–4 cards · F / S speed · L large panel';
  const button = bar.firstChild;
  const large = (on) => {
    document.body.classList.toggle('large', on);
    button.setAttribute('aria-pressed', String(on));
  };
  const toggle = () => large(!document.body.classList.contains('large'));
  button.onclick = toggle;
  const press = (el) => el?.click();
  const id = (name) => document.getElementById(name);
  const speed = (step) => {
    // The time's buttons (the EV's options are button.speed too).
    const all = [...document.querySelectorAll('button.speed')].filter((b) => b.textContent.endsWith('×'));
    press(all[all.findIndex((b) => b.classList.contains('on')) + step]);
  };
  const ACTIONS = {
    p: () => press(id('plug') ?? id('unplug')),
    f: () => speed(1),
    s: () => speed(-1),
    l: toggle,
  };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
    if (e.target.closest('input, textarea, select')) return;
    const key = e.key.toLowerCase();
    const act = ACTIONS[key] ?? (/^[1-4]$/.test(key)
      ? () => press(document.querySelectorAll('.cards button.card')[key - 1]) : null);
    if (act) { e.preventDefault(); act(); }
  });
  // yew empties <body> when it mounts (window.__evc then exists): the bar goes in after.
  const mount = () => (window.__evc ? document.body.prepend(bar) : setTimeout(mount, 50));
  mount();
})();

// Scenarios in the tab: a "Scenario" button in the bar above the page; it (or
// evc.runScenario) fetches the card and its runner (scenario-card.js) and the scenario
// module (scenario.js + scenario_bg.wasm) on first use, so the page's load carries none
// of them (BENCHMARKS.md).
(() => {
  const evc = window.evc;
  let card = null;
  const button = Object.assign(document.createElement('button'), { id: 'scenario-open', textContent: 'Scenario' });
  const open = () => (card ??= new Promise((ok, fail) => {
    const script = Object.assign(document.createElement('script'), { src: 'scenario-card.js' });
    script.onload = () => { button.replaceWith(window.evcScenario.card); ok(window.evcScenario); };
    script.onerror = () => { card = null; fail(new Error('evc: scenario-card.js did not load')); };
    document.head.append(script);
  }));
  evc.runScenario = async (o) => (await open()).run(o);
  evc.stopScenario = () => window.evcScenario?.stop() ?? evc.state();
  evc.scenario = () => window.evcScenario?.status() ?? null;
  button.onclick = () => open().then((c) => { c.card.open = true; });
  const mount = () => {
    const bar = document.getElementById('keys');
    if (!bar) return setTimeout(mount, 50);
    bar.append(button);
    // An opened link with a scenario: the card runs it.
    const linked = evc.state().linkScenario;
    if (linked) open().then((c) => c.runLink(linked));
  };
  mount();
})();

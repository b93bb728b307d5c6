// The scenario card and its runner, fetched by www/evc.js on first use: the runner's
// TOML files (crates/chargepoint/src/scenario.rs), read and stepped by the scenario
// module (scenario.js + scenario_bg.wasm, built from crates/web/src/bin/scenario.rs:
// chargepoint::scenario, the parser and executor of `evc run --scenario`), fetched with
// the first run. The module decides what is due; this does it through window.evc every
// 200 ms. window.evcScenario = { card, run, stop, status } for evc.js.
(() => {
  const evc = window.evc;
  const READY = { 'home-day': 'A day of a home charger',
    offline: 'An offline period with queued transactions', 'peak-hours': 'Smart charging at peak hours' };
  let mod = null; let run = null; let name = ''; let log = []; let error = '';
  const load = () => (mod ??= new Promise((ok, fail) => {
    const script = document.createElement('script');
    script.src = 'scenario.js';
    script.onload = () => wasm_bindgen({ module_or_path: 'scenario_bg.wasm' }).then(() => ok(wasm_bindgen), fail);
    script.onerror = () => fail(new Error('the scenario module (scenario.js) did not load'));
    document.head.append(script);
  }).catch((e) => { mod = null; throw e; }));
  const ready = async (n) => {
    if (!(n in READY)) throw new Error(`evc.runScenario: no ready scenario "${n}"; one of ${Object.keys(READY).join(', ')}`);
    const r = await fetch(`scenarios/${n}.toml`);
    if (!r.ok) throw new Error(`evc.runScenario: scenarios/${n}.toml: HTTP ${r.status}`);
    return r.text();
  };
  const hms = (ms) => new Date(ms).toISOString().slice(11, 19);
  const status = () => run && { name, status: run.status(), done: run.done(), log: [...log] };
  const card = document.createElement('details');
  card.id = 'scenario';
  card.innerHTML = '<summary>Scenario</summary><select aria-label="Ready scenario">'
    + Object.entries(READY).map(([n, t]) => `<option value="${n}">${t}</option>`).join('')
    + '<option value="">my own (edit below)</option></select> <button id="scenario-run">Run</button> '
    + '<button id="scenario-stop">Stop</button><p id="scenario-status"></p><p class="error" id="scenario-error"></p>'
    + '<textarea id="scenario-text" rows="12" spellcheck="false" aria-label="Scenario (TOML)"></textarea><ul></ul>';
  const [pick, text] = [card.querySelector('select'), card.querySelector('textarea')];
  let shown = '';
  const draw = () => {
    const s = status();
    card.querySelector('#scenario-status').textContent = s ? `${READY[s.name] ?? 'My own scenario'}: ${s.status}` : '';
    card.querySelector('#scenario-error').textContent = error;
    card.querySelector('ul').innerHTML = '';
    card.querySelector('ul').append(...log.slice(-8).reverse().map((l) => Object.assign(document.createElement('li'), { textContent: l })));
  };
  const tick = () => {
    if (!run || run.done()) return;
    const s = evc.state();
    for (const a of JSON.parse(run.poll(s.ms, Date.now(), s.status, s.accepted))) {
      let what = a.do;
      try {
        if (a.do === 'plug') evc.plug(a.ev);
        else if (a.do === 'unplug') evc.unplug();
        else if (a.do === 'pause' || a.do === 'resume') evc.pauseEv(a.do === 'pause');
        else if (a.do === 'tap') { evc.tap(a.card); what += ` ${a.card}`; }
        else if (a.do === 'fault' || a.do === 'clear') { evc.fault(a.fault, a.do === 'fault'); what += ` ${a.fault}`; }
        else if (a.do === 'offline' || a.do === 'online') evc.offline(a.do === 'offline');
        else if (a.do === 'csms') what += ` ${a.action}: ${JSON.stringify(evc.csms(a.action, a.payload))}`;
        else if (a.do === 'skipped') what = a.why;
      } catch (e) { what += `: ${e.message}`; }
      log.push(`${hms(s.ms)} ${what}`);
      if (log.length > 50) log.shift();
    }
    draw();
  };
  setInterval(tick, 200);
  const stop = () => { run?.free(); run = null; draw(); return evc.setScenarioLink(null); };
  const start = async (o = {}) => {
    const toml = o.text ?? await ready(o.name);
    const m = await load();
    let r;
    try { r = new m.Run(toml, Math.random() * 2 ** 52); } catch (e) { throw new Error(`evc.runScenario: ${e}`); }
    if (r.demoOnly() && evc.state().home !== 'demo') {
      r.free();
      throw new Error('evc.runScenario: this scenario has csms steps (the CSMS sends a CALL): it runs on the demo CSMS only');
    }
    run?.free();
    [run, name, log] = [r, o.text === undefined ? o.name : 'custom', []];
    if (r.speed()) evc.setSpeed(Math.min(r.speed(), 3600));
    evc.setScenarioLink(o.text ?? o.name);
    draw();
    return status();
  };
  const show = async () => {
    const n = pick.value;
    const toml = n && await ready(n).catch((e) => e.message);
    if (n && pick.value === n) text.value = shown = toml;
  };
  pick.onchange = show;
  card.querySelector('#scenario-run').onclick = () => {
    const own = !pick.value || text.value !== shown;
    start(own ? { text: text.value } : { name: pick.value })
      .then(() => { error = ''; draw(); }, (e) => { error = e.message.replace('evc.runScenario: ', ''); draw(); });
  };
  card.querySelector('#scenario-stop').onclick = stop;
  show();
  // A link's scenario: a ready one's name, or its TOML.
  const runLink = (v) => {
    card.open = true;
    if (v in READY) pick.value = v; else [pick.value, text.value] = ['', v];
    const done = start(v in READY ? { name: v } : { text: v }).then(() => { error = ''; });
    return done.catch((e) => { error = `the link's scenario: ${e.message.replace('evc.runScenario: ', '')}`; }).then(draw);
  };
  window.evcScenario = { card, run: start, stop, status: () => status() ?? null, runLink };
})();

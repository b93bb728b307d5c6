// The EVC Playground page's test API, `window.evc` (www/evc.js). Every verb runs at once
// on the page's charge point, the same one its panel drives, and returns the new state;
// a refused verb throws an Error whose message names the verb and why
// ("evc.tap: \"idTag\" must be 1 to 20 characters (IdToken)").
//
// From Playwright:   await page.evaluate(() => window.evc.plug());
//                    await page.evaluate(() => window.evc.waitForStatus('Charging'));

export type ConnectorStatus =
  | 'Available' | 'Preparing' | 'Charging' | 'SuspendedEVSE' | 'SuspendedEV'
  | 'Finishing' | 'Reserved' | 'Unavailable' | 'Faulted';

export type Fault =
  | 'HighTemperature' | 'GroundFailure' | 'OverCurrent' | 'UnderVoltage' | 'OverVoltage'
  | 'PowerMeter' | 'PowerSwitch' | 'Reader' | 'ConnectorLock' | 'EvCommunication' | 'Internal';

export interface EvcState {
  /** The charge point id (its serial number). */
  id: string;
  /** The CSMS URL; "" for the built-in demo CSMS. */
  url: string;
  home: 'demo' | 'live';
  /** The link in words ("connected to ws://…", "connecting to … (why)"). */
  link: string;
  connected: boolean;
  /** Connector 1's OCPP status. */
  status: ConnectorStatus;
  /** Its ChargePointErrorCode ("NoError" unless Faulted). */
  errorCode: string;
  transactionId: number | null;
  /** Energy of the transaction in progress, Wh. */
  sessionWh: number | null;
  /** The meter register, Wh. */
  meterWh: number;
  plugged: boolean;
  paused: boolean;
  /** The EV's state of charge in tenths of a percent, while plugged in. */
  socPermille: number | null;
  relayClosed: boolean;
  /**
   * The LED ring: Booting (white rolling), Available (white pulsing),
   * WaitingForAuthorization (blue pulsing), WaitingForEv (blue from the middle), Charging
   * (green rolling), Suspended (green: suspended or finished), Fault(Temperature) etc. (red
   * in the pattern of the fault's class), Unavailable (off).
   */
  led: string;
  speed: number;
  /** "Firmware 1.0.0", or the update in progress. */
  firmware: string;
  lastCard: { idTag: string; accepted: boolean } | null;
  /** The box's engine time in ms: pass it as `since` to see only what comes next. */
  ms: number;
  /** The page's shareable link to this setup (never with the key). */
  shareLink: string;
  variant: 'tethered' | 'socket';
  /** What the network faults did so far (null when none are set). */
  networkFaults: { dropped: number; duplicated: number; reordered: number } | null;
  /** Whether the CSMS accepted the box (BootNotification Accepted). */
  accepted: boolean;
  /** The scenario the share link carries (a ready one's name or its TOML), or null. */
  linkScenario: string | null;
}

/** An EV as a scenario plugs it in (`evc.plug(ev)`). */
export interface EvSpec {
  /** 1,000 to 1,000,000 Wh. */
  batteryWh: number;
  /** 0 to 1000 (‰). */
  socPermille: number;
  /** 6,000 to 80,000 mA. */
  maxCurrentMa: number;
  phases: 1 | 3;
  /** Where it stops drawing, 0 to 1000 (‰). */
  targetPermille: number;
}

/** Where a scenario stands (`evc.scenario()`). */
export interface ScenarioState {
  /** A ready one's name (`home-day`, `offline`, `peak-hours`) or `custom`. */
  name: string;
  /** `step 2 of 4, round 1`, `finished`, or waiting for the CSMS to accept the box. */
  status: string;
  done: boolean;
  /** What it did, oldest first (`<box time hh:mm:ss> <what>`, the latest 50). */
  log: string[];
}

export interface Frame {
  /** Engine time in ms when it passed (compare with EvcState.ms). */
  ms: number;
  /** The box's wall time, RFC 3339. */
  at: string;
  from: 'cp' | 'csms';
  kind: 'CALL' | 'CALLRESULT' | 'CALLERROR' | 'malformed';
  /** The message id. */
  id: string;
  /** The action (for a CALLRESULT / CALLERROR: the action of the CALL it answers). */
  action: string | null;
  /** The frame as it went over the wire. */
  text: string;
}

/** The kinds of CSMS mistake the box tells apart (`chargepoint::mistakes::MistakeKind`). */
export type MistakeKind =
  | 'malformed-frame' | 'schema-violation' | 'unsupported-call' | 'unknown-or-late-answer'
  | 'wrong-answer-shape' | 'error-answer' | 'answer-timeout' | 'senseless-request';

export interface Mistake {
  /** The box's wall time (RFC 3339). */
  time: string;
  /** The same, under the name earlier versions used. */
  at: string;
  kind: MistakeKind;
  /** The kind for people ("Payload breaks the schema", …). */
  title: string;
  /** The same as `title`. */
  what: string;
  /** The CSMS's CALL, or the box's CALL it answered (or did not). */
  action: string | null;
  /** The message id of the frame at fault (the box's CALL for a time-out). */
  messageId: string | null;
  /** What was wrong and what the box did ("answered TypeConstraintViolation: connectorId: …"). */
  detail: string;
  /** That frame's text while the trace still holds it. */
  frame: string | null;
}

/** The whole report: counts per kind (all of them, whatever the page still lists). */
export interface MistakeReport {
  chargePoint: string;
  total: number;
  counts: Record<MistakeKind, number>;
  mistakes: Omit<Mistake, 'at' | 'what' | 'frame'>[];
}

export interface Setup {
  /** ws:// or wss:// URL of the CSMS (the charge point id is appended); "" = demo CSMS. */
  url?: string;
  /** The charge point id, 1 to 20 characters. */
  id?: string;
  variant?: 'tethered' | 'socket';
  /** AuthorizationKey for security profile 1–2 (never put into the page's URL). */
  key?: string;
}

export interface WaitOptions {
  /** Default 30000. */
  timeoutMs?: number;
}

export interface FrameWaitOptions extends WaitOptions {
  from?: 'cp' | 'csms';
  kind?: Frame['kind'];
  /** Only frames at or after this engine time (EvcState.ms). */
  since?: number;
}

/** The demo CSMS's answer to `csms()`: the box's CALLRESULT payload or its CALLERROR. */
export type CsmsAnswer =
  | { result: unknown }
  | { error: { code: string; description: string } };

export interface Evc {
  /** Resolves once the page mounted its panel (and `window.evc` verbs work). */
  ready(timeoutMs?: number): Promise<true>;
  state(): EvcState;
  /** Changes the setup (stored like the settings form's) and powers the box on with it. */
  configure(setup: Setup): EvcState;
  /** Plugs the panel's EV in, or this one (a scenario's). */
  plug(ev?: EvSpec): EvcState;
  unplug(): EvcState;
  /** An RFID card at the reader. */
  tap(idTag: string): EvcState;
  pauseEv(paused?: boolean): EvcState;
  fault(fault: Fault, active?: boolean): EvcState;
  /** Time speed, 1 to 3600 (the panel offers 1, 10, 60). */
  setSpeed(speed: number): EvcState;
  /** Drops the link now as a network fault would; the box reconnects by itself. */
  dropLink(): EvcState;
  /**
   * The CSMS cannot be reached (true: the link drops now and every connection attempt
   * fails) or can again (false: the box reconnects on its own schedule).
   */
  offline(on?: boolean): EvcState;
  /**
   * Runs a scenario (the runner's TOML format, crates/chargepoint/src/scenario.rs) on the
   * box: a ready one by `name`, or `text`. Fetches the scenario card and module on first
   * use. Its speed and seed apply. Rejects when the file is wrong (the reason names the
   * line, or the step and field) or has `csms` steps on a real CSMS.
   */
  runScenario(scenario: { name: 'home-day' | 'offline' | 'peak-hours' } | { text: string }): Promise<ScenarioState>;
  /** Stops the scenario; the box stays as it is. */
  stopScenario(): EvcState;
  /** The scenario running or last run, or null. */
  scenario(): ScenarioState | null;
  /** What the share link carries as its scenario (the card sets it when one runs; null: none). */
  setScenarioLink(scenario?: string | null): EvcState;
  /**
   * Network faults on the link to a real CSMS, both ways, repeatable from the seed:
   * `'seed=7 latency=200 drop=5 duplicate=2 reorder=5'` (percentages; '' = none).
   */
  networkFaults(spec?: string): EvcState;
  /** The demo CSMS sends a CALL (demo home only). */
  csms(action: string, payload?: object): CsmsAnswer;
  /** Expert mode: the box sends `text` to its CSMS as it is (any CALL, a malformed frame);
   *  the answer to a CALL of yours shows in the trace and is not handed to the engine.
   *  Throws when the box is not connected or `text` is empty. */
  sendRaw(text: string): EvcState;
  /** Expert mode: hold the CSMS's CALLs from the box (true), or let the box answer all
   *  held ones, oldest first (false). A held CALL is answered by `release(id)` (the box,
   *  late), by `sendRaw` of a CALLRESULT / CALLERROR with its id (by hand), or never
   *  (`dropHeld(id)`). At most 20 are held; a lost link voids them. Either home. */
  hold(on?: boolean): EvcState;
  /** The CSMS's CALLs held, oldest first. */
  held(): HeldCall[];
  /** The box answers the held CALL `id` now. Throws when no such CALL is held. */
  release(id: string): EvcState;
  /** The held CALL `id` is never answered. Throws when no such CALL is held. */
  dropHeld(id: string): EvcState;
  /** The frames both ways, oldest first (the page keeps the latest few hundred). */
  trace(since?: number): Frame[];
  /** What the CSMS got wrong as the box saw it, oldest first (the page keeps the latest 500). */
  mistakes(): Mistake[];
  /** The report with its counts per kind, as the page's "Export JSON" gives it. */
  mistakeReport(): MistakeReport;
  /** Forgets the settings and the box's stored state, and powers it on fresh. */
  factoryReset(): EvcState;
  waitForStatus(status: ConnectorStatus, options?: WaitOptions): Promise<EvcState>;
  waitForConnected(options?: WaitOptions): Promise<EvcState>;
  waitForFrame(action: string, options?: FrameWaitOptions): Promise<Frame>;
}

/** A CALL of the CSMS that expert mode holds. */
export interface HeldCall {
  id: string;
  action: string;
  /** How long it has been held, in the box's ms. */
  heldMs: number;
  /** The frame as the CSMS sent it. */
  frame: string;
}

declare global {
  interface Window {
    evc: Evc;
  }
}

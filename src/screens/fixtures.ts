/**
 * Sample views of every screen, built through the same buildView as the live terminal, from a
 * context filled with a fictional test person. Used by `lifecheck screenshot` and the golden tests.
 */
import { emptySession } from '../machine/machine.js';
import type { DeviceHealth, DeviceId, Session, TerminalContext, TerminalSettings } from '../machine/types.js';
import { DEVICE_IDS } from '../machine/types.js';
import { testPerson } from '../si-client/test-persons.js';
import { HINTS } from '../vision/hints.js';
import { ACTIONS } from '../vision/port.js';
import { buildView, type OverlayId, type ScreenId, type ScreenView } from './view.js';

const SETTINGS: TerminalSettings = {
  terminalNumber: '0000',
  countdownSeconds: 300,
  countdownWarnAt: 30,
  actions: ['raise_head', 'lower_head', 'turn_left', 'turn_right', 'blink', 'open_mouth'],
  actionCount: 2,
  maxActionFailures: 3,
  maxCaptureAttempts: 3,
  maxAttemptsPerDay: 5,
  utcOffsetMinutes: 480,
};

const CYCLE = { from: '2026-03-01', to: '2027-02-28' };

interface Fixture {
  screen: ScreenId;
  mode?: string | null;
  overlay?: OverlayId | null;
  session?: Partial<Session>;
  faults?: DeviceId[];
}

const due = { ...testPerson('due').identity, source: 'id-card' as const };

const FIXTURES: Record<string, Fixture> = {
  home: { screen: 'home' },
  'home-out-of-service': { screen: 'home', faults: ['camera'] },
  'home-printer-fault': { screen: 'home', faults: ['printer'] },
  'home-clock-untrusted': { screen: 'home', faults: ['clock'] },
  identify: { screen: 'identify', mode: 'waiting' },
  'identify-barcode': { screen: 'identify', mode: 'barcode' },
  'identify-reader-fault': { screen: 'identify', mode: 'waiting', faults: ['idReader'] },
  identifyProblem: { screen: 'identifyProblem', session: { problem: 'expired' } },
  resolvingToken: { screen: 'resolvingToken' },
  confirm: { screen: 'confirm', session: { identity: due } },
  'confirm-rare-name': {
    screen: 'confirm',
    session: { identity: { ...due, name: '王𪚥', gender: 'male' } },
  },
  checking: { screen: 'checking', session: { identity: due } },
  siProblem: { screen: 'siProblem' },
  notEligible: { screen: 'notEligible', session: { eligibility: { status: 'not-retiree' } } },
  service: { screen: 'service', session: { identity: due, eligibility: { status: 'eligible', cycle: CYCLE } } },
  'service-verified': {
    screen: 'service',
    session: { identity: due, eligibility: { status: 'already-verified', cycle: CYCLE, verifiedOn: '2026-08-02' } },
  },
  attemptsExceeded: { screen: 'attemptsExceeded', session: { attemptsToday: 5 } },
  history: { screen: 'history', mode: 'shown', session: { history: testPerson('due').history } },
  'history-failed': { screen: 'history', mode: 'failed' },
  consent: { screen: 'consent' },
  consentDeclined: { screen: 'consentDeclined' },
  capture: { screen: 'capture', mode: 'positioning', session: { challenge: { actions: ['raise_head', 'blink'], index: 0, failures: 0, restarts: 0 }, captureAttempts: 1 } },
  'capture-acting': {
    screen: 'capture',
    mode: 'acting',
    session: { challenge: { actions: ['raise_head', 'blink'], index: 0, failures: 1, restarts: 0 }, captureAttempts: 1, notice: 'try-again' },
  },
  cameraProblem: { screen: 'cameraProblem' },
  captureFailed: { screen: 'captureFailed', session: { captureFailure: 'action-timeout', captureAttempts: 1 } },
  captured: { screen: 'captured', session: { photo: { ref: 'photo-1', quality: 0.92 }, captureAttempts: 1 } },
  submitting: { screen: 'submitting' },
  printing: { screen: 'printing' },
  result: { screen: 'result', session: { result: { outcome: 'accepted', receiptNo: 'SI00000001' }, receipt: { printed: true } } },
  'result-queued': {
    screen: 'result',
    session: { result: { outcome: 'queued', receiptNo: 'T0000202611280001' }, receipt: { printed: true } },
  },
  'result-paper-out': {
    screen: 'result',
    session: { result: { outcome: 'accepted', receiptNo: 'SI00000002' }, receipt: { printed: false, problem: 'paper-out' } },
  },
  'result-rejected': { screen: 'result', session: { result: { outcome: 'rejected', reason: 'not-eligible' } } },
  'overlay-help': { screen: 'service', overlay: 'help', session: { identity: due, eligibility: { status: 'eligible', cycle: CYCLE } } },
  'overlay-instructions': { screen: 'identify', mode: 'waiting', overlay: 'instructions' },
  'overlay-qr': { screen: 'identify', mode: 'waiting', overlay: 'qr' },
};

/** The capture screen with each hint held (while positioning) and each action asked for. */
for (const hint of HINTS) {
  FIXTURES[`capture-hint-${hint}`] = { screen: 'capture', mode: 'positioning', session: { challenge: { actions: ['raise_head', 'blink'], index: 0, failures: 0, restarts: 0 }, captureAttempts: 1, hint } };
}
for (const action of ACTIONS) {
  FIXTURES[`capture-action-${action}`] = { screen: 'capture', mode: 'acting', session: { challenge: { actions: [action, 'blink'], index: 0, failures: 0, restarts: 0 }, captureAttempts: 1 } };
}
FIXTURES['captureFailed-hint'] = { screen: 'captureFailed', session: { captureFailure: 'no-face', captureAttempts: 1, hint: 'too-far' } };

/** Fixtures of the guided capture (goldens for every hint and every action). */
export const GUIDE_FIXTURES = [...HINTS.map((h) => `capture-hint-${h}`), ...ACTIONS.map((a) => `capture-action-${a}`), 'captureFailed-hint'];

export const FIXTURE_NAMES = Object.keys(FIXTURES);

export function fixtureView(name: string, secondsLeft = 299): ScreenView {
  const f = FIXTURES[name];
  if (!f) throw new Error(`no screen fixture '${name}' (have: ${FIXTURE_NAMES.join(', ')})`);
  const devices = Object.fromEntries(
    DEVICE_IDS.map((d): [DeviceId, DeviceHealth] => [d, f.faults?.includes(d) ? { ok: false, reason: 'unplugged' } : { ok: true }]),
  ) as Record<DeviceId, DeviceHealth>;
  const ctx: TerminalContext = { settings: SETTINGS, rng: 1, devices, session: { ...emptySession(), ...f.session } };
  const view = buildView({ screen: f.screen, mode: f.mode ?? null, overlay: f.overlay ?? null }, ctx);
  return { ...view, secondsLeft: f.screen === 'home' ? null : secondsLeft };
}

/**
 * What the terminal shows, derived from the machine's snapshot: the screen id, its buttons (with
 * enabled state) and its key fields. The renderer draws it; touches are hit-tested against it; traces
 * compare its `fields`. `fields` are trace-safe (ID number and name masked); the full name the
 * confirm screen must show travels only in `private`, which outputs and logs never include.
 */
import type { SnapshotFrom } from 'xstate';
import { maskIdNumber, maskName } from '../domain/identity.js';
import { attemptsLeft, canServe, exhaustedLimit, type TerminalMachine } from '../machine/machine.js';
import type { ButtonId, TerminalContext } from '../machine/types.js';
import { DEVICE_IDS } from '../machine/types.js';

export const SCREEN_IDS = [
  'home',
  'identify',
  'identifyProblem',
  'resolvingToken',
  'confirm',
  'checking',
  'siProblem',
  'notEligible',
  'service',
  'attemptsExceeded',
  'history',
  'consent',
  'consentDeclined',
  'capture',
  'cameraProblem',
  'captureFailed',
  'captured',
  'submitting',
  'printing',
  'result',
] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];

export type OverlayId = 'help' | 'instructions' | 'qr';

export type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue };
export type Fields = Record<string, FieldValue>;

export interface ButtonView {
  id: ButtonId;
  label: string;
  enabled: boolean;
  /** Footer buttons sit in the bottom bar on every screen but home. */
  footer: boolean;
}

export interface ScreenView {
  screen: ScreenId;
  /** Sub-step within the screen (identify: card/barcode, capture: positioning/acting/framing…). */
  mode: string | null;
  overlay: OverlayId | null;
  /** 剩余N秒; null on home, which has no countdown. The terminal's display clock fills it in. */
  secondsLeft: number | null;
  terminalNumber: string;
  buttons: ButtonView[];
  fields: Fields;
  /** Personal data the screen must draw (the confirm screen's name, the captured photo). Never logged or traced. */
  private: { name?: string; photoRef?: string };
  /** The button under a finger right now (drawn pressed); set by the terminal, not the machine. */
  pressed: ButtonId | null;
}

export const BUTTON_LABELS: Record<ButtonId, string> = {
  start: '离退休人员生存验证',
  instructions: '操作说明',
  scanBarcode: '扫描条码',
  enter: '进入',
  apply: '生存验证申请',
  history: '生存验证历史',
  agree: '同意并开始',
  decline: '不同意',
  retake: '重新拍摄',
  submit: '提交',
  retry: '重试',
  exit: '退出',
  back: '上一步',
  home: '返回首页',
  help: '帮助',
  qr: '扫描二维码',
  closeOverlay: '关闭',
};

type Snapshot = SnapshotFrom<TerminalMachine>;

function button(id: ButtonId, enabled = true, footer = false): ButtonView {
  return { id, label: BUTTON_LABELS[id], enabled, footer };
}

/** The active flow screen and its sub-step, read from the state value. */
function flowPosition(snapshot: Snapshot): { screen: ScreenId; mode: string | null } {
  if (snapshot.matches('home')) return { screen: 'home', mode: null };
  const value = snapshot.value as { session: { flow: string | Record<string, unknown> } };
  const flow = value.session.flow;
  if (typeof flow === 'string') return { screen: flow as ScreenId, mode: null };
  const [screen, sub] = Object.entries(flow)[0]!;
  const mode = typeof sub === 'string' ? sub : sub && typeof sub === 'object' ? Object.keys(sub)[0]! : null;
  return { screen: screen as ScreenId, mode };
}

function overlayOf(snapshot: Snapshot): OverlayId | null {
  if (snapshot.matches('home')) return null;
  const value = snapshot.value as { session: { overlay: string } };
  const overlay = value.session.overlay;
  return overlay === 'none' ? null : (overlay as OverlayId);
}

function screenBody(screen: ScreenId, mode: string | null, ctx: TerminalContext): { buttons: ButtonView[]; fields: Fields } {
  const s = ctx.session;
  switch (screen) {
    case 'home': {
      const faults = DEVICE_IDS.filter((d) => !ctx.devices[d].ok);
      const serving = canServe(ctx);
      return { buttons: [button('start', serving)], fields: { canServe: serving, faults } };
    }
    case 'identify':
      return {
        // A scanner that is out cannot be offered: the card readers are the way in meanwhile.
        buttons: [button('instructions'), button('scanBarcode', mode !== 'barcode' && ctx.devices.barcode.ok)],
        fields: {
          idReader: ctx.devices.idReader.ok,
          sscReader: ctx.devices.sscReader.ok,
          barcode: ctx.devices.barcode.ok,
        },
      };
    case 'identifyProblem':
      return { buttons: [button('retry')], fields: { problem: s.problem } };
    case 'confirm': {
      const id = s.identity;
      return {
        buttons: [button('enter')],
        fields: id
          ? { source: id.source, name: maskName(id.name), gender: id.gender, idNumber: maskIdNumber(id.idNumber) }
          : {},
      };
    }
    case 'siProblem':
      return { buttons: [button('retry')], fields: {} };
    case 'notEligible':
      return { buttons: [], fields: { status: s.eligibility?.status ?? null } };
    case 'service': {
      const e = s.eligibility;
      const already = e?.status === 'already-verified' || s.queuedOn !== null;
      return {
        buttons: [button('apply', !already), button('history')],
        fields: {
          alreadyVerified: already,
          verifiedOn: e?.status === 'already-verified' ? e.verifiedOn : null,
          queuedOn: s.queuedOn,
          cycleTo: e && 'cycle' in e ? e.cycle.to : null,
        },
      };
    }
    case 'history':
      return {
        buttons: mode === 'failed' ? [button('retry')] : [],
        fields: {
          records: (s.history ?? []).map((r) => ({ year: r.year, verifiedOn: r.verifiedOn, channel: r.channel, result: r.result })),
        },
      };
    case 'consent':
      return { buttons: [button('agree'), button('decline')], fields: {} };
    case 'capture': {
      const c = s.challenge;
      return {
        buttons: [],
        fields: {
          action: mode === 'acting' ? (c.actions[c.index] ?? null) : null,
          step: Math.min(c.index + 1, c.actions.length),
          of: c.actions.length,
          notice: s.notice,
          hint: s.hint,
          attempt: s.captureAttempts,
        },
      };
    }
    case 'cameraProblem':
      return { buttons: [button('retry', ctx.devices.camera.ok)], fields: { cameraOk: ctx.devices.camera.ok } };
    case 'captureFailed':
      return {
        // Actions that kept failing: the retry is offered as a new set of actions (it is a new
        // seeded draw, counted as an attempt, as every retry).
        buttons: [
          s.captureFailure === 'action-timeout' || s.captureFailure === 'unsteady'
            ? { ...button('retry', attemptsLeft(ctx)), label: '换一组动作' }
            : button('retry', attemptsLeft(ctx)),
        ],
        fields: { failure: s.captureFailure, hint: s.hint, attemptsLeft: attemptsLeft(ctx) },
      };
    case 'captured':
      return {
        buttons: [button('retake', attemptsLeft(ctx)), button('submit')],
        fields: { quality: s.photo?.quality ?? null, attemptsLeft: attemptsLeft(ctx) },
      };
    case 'attemptsExceeded':
      return {
        buttons: [],
        fields: { limit: exhaustedLimit(ctx) },
      };
    case 'result': {
      const r = s.result;
      const fields: Fields = { outcome: r?.outcome ?? null };
      if (r && 'receiptNo' in r) fields.receiptNo = r.receiptNo;
      if (r && 'reason' in r) fields.reason = r.reason;
      if (r && 'verifiedOn' in r) fields.verifiedOn = r.verifiedOn;
      if (s.receipt) {
        fields.printed = s.receipt.printed;
        if (!s.receipt.printed) fields.printerProblem = s.receipt.problem;
      }
      return { buttons: [button('exit')], fields };
    }
    case 'resolvingToken':
    case 'checking':
    case 'consentDeclined':
    case 'submitting':
    case 'printing':
      return { buttons: [], fields: {} };
  }
}

/** Footer of every screen but home: 上一步, 帮助, 返回首页, 扫描二维码 (the terminal number and 剩余N秒 are text). */
function footer(screen: ScreenId): ButtonView[] {
  if (screen === 'home') return [];
  const busy = screen === 'submitting' || screen === 'printing';
  return [button('back', !busy, true), button('help', true, true), button('home', !busy, true), button('qr', true, true)];
}

export function viewOf(snapshot: Snapshot): ScreenView {
  return buildView({ ...flowPosition(snapshot), overlay: overlayOf(snapshot) }, snapshot.context);
}

/** The view of a screen position over a context: used by viewOf and by screenshot fixtures. */
export function buildView(position: { screen: ScreenId; mode: string | null; overlay: OverlayId | null }, ctx: TerminalContext): ScreenView {
  const { screen, mode, overlay } = position;
  const body = screenBody(screen, mode, ctx);
  // An overlay is modal: only its close button and the way home stay touchable.
  const buttons = overlay
    ? [button('closeOverlay'), ...footer(screen).filter((b) => b.id === 'home')]
    : [...body.buttons, ...footer(screen)];
  return {
    screen,
    mode,
    overlay,
    secondsLeft: null,
    terminalNumber: ctx.settings.terminalNumber,
    buttons,
    fields: body.fields,
    private: {
      ...(screen === 'confirm' && ctx.session.identity ? { name: ctx.session.identity.name } : {}),
      ...(screen === 'captured' && ctx.session.photo ? { photoRef: ctx.session.photo.ref } : {}),
    },
    pressed: null,
  };
}

/**
 * Follows the snapshots of one actor and tells when the visible screen changed. Snapshots that keep
 * the same screen, session and devices objects (timers re-armed, overlays' countdown restarts) reuse
 * the last view: no re-derivation, no deep comparison.
 */
export class ViewTracker {
  private last: { view: ScreenView; session: unknown; devices: unknown; settings: unknown } | null = null;

  /** The view of the latest snapshot, its secondsLeft still null. */
  update(snapshot: Snapshot): { view: ScreenView; changed: boolean } {
    const ctx = snapshot.context;
    const { screen, mode } = flowPosition(snapshot);
    const overlay = overlayOf(snapshot);
    const last = this.last;
    if (
      last &&
      last.session === ctx.session &&
      last.devices === ctx.devices &&
      last.settings === ctx.settings &&
      last.view.screen === screen &&
      last.view.mode === mode &&
      last.view.overlay === overlay
    ) {
      return { view: last.view, changed: false };
    }
    const view = viewOf(snapshot);
    this.last = { view, session: ctx.session, devices: ctx.devices, settings: ctx.settings };
    return { view, changed: !last || !sameScreen(last.view, view) };
  }
}

/** Two views show the same screen (ignoring the countdown): used to emit one output per change. */
export function sameScreen(a: ScreenView, b: ScreenView): boolean {
  return (
    a.screen === b.screen &&
    a.mode === b.mode &&
    a.overlay === b.overlay &&
    JSON.stringify(a.fields) === JSON.stringify(b.fields) &&
    JSON.stringify(a.buttons) === JSON.stringify(b.buttons)
  );
}

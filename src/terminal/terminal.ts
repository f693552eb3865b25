/**
 * The composition root: the one place where the pure machine meets devices, vision, SI, printer
 * and clock. `lifecheck run`, the demo, trace replay and the tests all build a terminal here, with
 * real or simulated ports; nothing else wires the machine.
 */
import { createActor, fromCallback, fromPromise, type Actor, type InspectionEvent } from 'xstate';
import { localDate, type Clock } from '../clock/clock.js';
import { maskIdNumber } from '../domain/identity.js';
import type { BarcodePort } from '../drivers/barcode/port.js';
import type { DisplayPort } from '../drivers/display/port.js';
import type { IdReaderPort } from '../drivers/id-reader/port.js';
import type { PrinterPort } from '../drivers/printer/port.js';
import type { SpeakerPort } from '../drivers/speaker/port.js';
import type { SscReaderPort } from '../drivers/ssc-reader/port.js';
import type { TouchEvent, TouchPort } from '../drivers/touch/port.js';
import type { Logger } from '../log/logger.js';
import type { DelayName } from '../machine/delays.js';
import { terminalMachine, type PersonLookup, type TerminalMachine } from '../machine/machine.js';
import type { MachineEvent, ReceiptRequest, TerminalSettings } from '../machine/types.js';
import { hitTest } from '../screens/layout.js';
import { sameScreen, viewOf, type ScreenView } from '../screens/view.js';
import type { Outbox } from '../si-client/outbox.js';
import type { Submission, SiPort } from '../si-client/port.js';
import type { VisionCommand, VisionPort } from '../vision/port.js';
import { AttemptLedger } from './attempt-ledger.js';
import type { Output } from './outputs.js';
import type { PhotoStore } from './photo-store.js';
import { buildReceipt, type ReceiptSettings } from './receipt.js';

export interface TerminalPorts {
  idReader: IdReaderPort;
  sscReader: SscReaderPort;
  barcode: BarcodePort;
  touch: TouchPort;
  display: DisplayPort;
  speaker: SpeakerPort;
  printer: PrinterPort;
  vision: VisionPort;
  si: SiPort;
}

export interface TerminalOptions {
  ports: TerminalPorts;
  clock: Clock;
  settings: TerminalSettings;
  delays: Record<DelayName, number>;
  receipt: ReceiptSettings;
  outbox: Outbox;
  photos: PhotoStore;
  logger: Logger;
  /** Seed of the challenge order; production passes a random one. */
  seed: number;
  onOutput?: (output: Output) => void;
  /** Extra inspection (model coverage, REPL transition history). */
  inspect?: (event: InspectionEvent) => void;
}

export type TerminalActor = Actor<TerminalMachine>;

export class Terminal {
  private actor: TerminalActor | null = null;
  private lastView: ScreenView | null = null;
  private readonly ledger = new AttemptLedger();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly options: TerminalOptions) {}

  /** The machine with every actor and delay bound to this terminal's ports. */
  private machine(): TerminalMachine {
    const { ports, clock, settings, outbox, photos } = this.options;
    const out = (o: Output) => this.options.onOutput?.(o);
    const today = () => localDate(clock.now(), settings.utcOffsetMinutes);
    return terminalMachine.provide({
      delays: this.options.delays,
      actors: {
        lookupPerson: fromPromise<PersonLookup, { idNumber: string }>(async ({ input, signal }) => {
          out({ kind: 'si', op: 'lookup', fields: { idNumber: maskIdNumber(input.idNumber) } });
          const eligibility = await ports.si.lookupPerson(input.idNumber, signal);
          return { eligibility, attemptsToday: this.ledger.count(input.idNumber, today()) };
        }),
        resolveToken: fromPromise(async ({ input, signal }: { input: { token: string }; signal: AbortSignal }) => {
          out({ kind: 'si', op: 'resolveToken', fields: {} });
          return ports.si.resolveToken(input.token, signal);
        }),
        loadHistory: fromPromise(async ({ input, signal }: { input: { idNumber: string }; signal: AbortSignal }) => {
          out({ kind: 'si', op: 'history', fields: { idNumber: maskIdNumber(input.idNumber) } });
          return ports.si.history(input.idNumber, signal);
        }),
        submitVerification: fromPromise(async ({ input }: { input: Submission }) => {
          const photo = photos.get(input.photoRef);
          out({
            kind: 'si',
            op: 'submit',
            fields: { idNumber: maskIdNumber(input.idNumber), actions: input.liveness.actions, hasPhoto: photo !== undefined },
          });
          // The outbox owns delivery from here: leaving the screen does not cancel it.
          return outbox.submit({
            idNumber: input.idNumber,
            name: input.name,
            photo: Buffer.from(photo ?? Buffer.alloc(0)),
            liveness: input.liveness,
            terminalNumber: settings.terminalNumber,
            at: clock.now(),
          });
        }),
        printReceipt: fromPromise(async ({ input, signal }: { input: ReceiptRequest; signal: AbortSignal }) => {
          const receipt = buildReceipt(input, clock.now(), this.options.receipt);
          out({ kind: 'receipt', fields: { ...receipt } });
          await ports.printer.print(receipt, signal);
        }),
        camera: fromCallback<VisionCommand>(({ sendBack, receive }) => {
          const session = ports.vision.open((event) => sendBack(event));
          receive((command) => session.command(command));
          return () => session.stop();
        }),
      },
    });
  }

  async start(): Promise<void> {
    const { ports, clock, logger } = this.options;
    const actor = createActor(this.machine(), {
      input: { settings: this.options.settings, seed: this.options.seed },
      clock,
      inspect: (event) => {
        if (event.type === '@xstate.snapshot' && event.actorRef === this.actor) this.logTransition(event);
        this.options.inspect?.(event);
      },
    });
    this.actor = actor;
    const out = (o: Output) => this.options.onOutput?.(o);

    actor.on('speak', (e) => {
      out({ kind: 'prompt', id: e.prompt });
      ports.speaker.play(e.prompt);
    });
    actor.on('session.started', () => out({ kind: 'session', event: 'started' }));
    actor.on('session.ended', (e) => {
      // Everything personal of this session goes now: photos in memory, voice in flight.
      this.options.photos.clear();
      out({ kind: 'session', event: 'ended', reason: e.reason });
    });
    actor.on('attempt.used', () => {
      const id = actor.getSnapshot().context.session.identity?.idNumber;
      if (id) this.ledger.record(id, localDate(clock.now(), this.options.settings.utcOffsetMinutes));
    });
    const sub = actor.subscribe({
      next: (snapshot) => this.show(viewOf(snapshot)),
      error: (err) => logger.error({ err }, 'terminal machine stopped on an error'),
    });
    this.unsubscribe.push(() => sub.unsubscribe());

    const send = (event: MachineEvent) => {
      if (event.type === 'device.fault') logger.warn({ device: event.device, reason: event.reason }, 'device fault');
      if (event.type === 'device.ok') logger.info({ device: event.device }, 'device back');
      actor.send(event);
    };
    this.unsubscribe.push(ports.idReader.onEvent(send), ports.sscReader.onEvent(send), ports.barcode.onEvent(send));
    this.unsubscribe.push(ports.touch.onEvent((e) => this.onTouch(e)));

    await ports.display.start();
    await ports.speaker.start();
    await ports.printer.start();
    await Promise.all([ports.idReader.start(), ports.sscReader.start(), ports.barcode.start(), ports.touch.start()]);
    actor.start();
    logger.info({ screen: this.lastView?.screen }, 'terminal started');
  }

  async stop(): Promise<void> {
    const { ports } = this.options;
    for (const off of this.unsubscribe.splice(0)) off();
    this.actor?.stop();
    this.options.outbox.stop();
    this.options.photos.clear();
    await Promise.all([ports.idReader.stop(), ports.sscReader.stop(), ports.barcode.stop(), ports.touch.stop()]);
    await Promise.all([ports.printer.stop(), ports.speaker.stop(), ports.display.stop()]);
  }

  /** The running actor (REPL, tests). */
  get machineActor(): TerminalActor {
    if (!this.actor) throw new Error('terminal not started');
    return this.actor;
  }

  get view(): ScreenView | null {
    return this.lastView;
  }

  /** Sends an event as if a device had produced it (REPL injection, tests). */
  send(event: MachineEvent): void {
    this.machineActor.send(event);
  }

  private show(view: ScreenView): void {
    const changed = !this.lastView || !sameScreen(this.lastView, view);
    const ticked = this.lastView?.secondsLeft !== view.secondsLeft;
    this.lastView = view;
    if (changed) {
      this.options.onOutput?.({ kind: 'screen', screen: view.screen, mode: view.mode, overlay: view.overlay, fields: view.fields });
    }
    if (changed || ticked) this.options.ports.display.show(view);
  }

  /** A touch counts only on an enabled button of the screen shown now, as on the real panel. */
  private onTouch(event: TouchEvent): void {
    const { logger, ports } = this.options;
    if (event.type === 'device.fault' || event.type === 'device.ok') {
      this.send(event);
      return;
    }
    const view = this.lastView;
    if (!view) return;
    const button =
      event.type === 'touch.tap'
        ? hitTest(view, ports.display.size, event.x, event.y)
        : view.buttons.find((b) => b.id === event.button && b.enabled)?.id ?? null;
    if (!button) {
      logger.debug({ screen: view.screen, touch: event.type === 'touch.tap' ? 'tap' : event.button }, 'touch on no enabled button');
      return;
    }
    this.send({ type: `ui.${button}` } as MachineEvent);
  }

  private lastValue = '';
  private logTransition(event: InspectionEvent & { type: '@xstate.snapshot' }): void {
    const snapshot = event.snapshot as ReturnType<TerminalActor['getSnapshot']>;
    const value = JSON.stringify(snapshot.value);
    if (value === this.lastValue) return;
    const from = this.lastValue;
    this.lastValue = value;
    // State values and event types only: never context, never event payloads.
    this.options.logger.info({ from: from ? JSON.parse(from) : null, to: snapshot.value, event: event.event.type }, 'transition');
  }
}

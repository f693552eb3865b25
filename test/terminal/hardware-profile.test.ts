/**
 * The hardware profile end to end, each device through its real driver on the nearest real layer
 * this machine has: the framebuffer is a file with a sysfs folder beside it, the touchscreen an
 * evdev FIFO, the sound card ALSA's file PCM fed by real aplay, the printer a FIFO behind the usblp
 * driver, the ID card reader a socat pty with our GA/T 467 emulator, the scanner an evdev FIFO,
 * pcscd absent (the social security card reader is reported faulty and the terminal serves
 * without it), the camera the synthesised person judged by the real face pipeline, and the SI a
 * real si-dev over HTTPS behind the SQLite outbox. A person taps the card and the screen's buttons
 * (at the raw coordinates the panel would send) and the session is checked from what the devices
 * received, not from the terminal's own account.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { PromptId } from '../../src/audio/prompts.js';
import type { Wav } from '../../src/audio/wav.js';
import { RealClock } from '../../src/clock/clock.js';
import { inputRecord } from '../../src/drivers/barcode/emulator.js';
import { HidScannerEmulator } from '../../src/drivers/barcode/emulator.js';
import { convert } from '../../src/drivers/display/pixels.js';
import { Gat467Emulator } from '../../src/drivers/id-reader/emulator.js';
import { PtyPair } from '../../src/drivers/pty-pair.js';
import { ABS_X, ABS_Y, BTN_TOUCH, EV_ABS, EV_KEY, EV_SYN, SYN_REPORT } from '../../src/drivers/touch/evdev.js';
import type { ButtonId } from '../../src/machine/types.js';
import { layoutButtons } from '../../src/screens/layout.js';
import { ScreenRenderer } from '../../src/screens/renderer.js';
import type { ScreenId } from '../../src/screens/view.js';
import { createOutboxKey } from '../../src/si-client/outbox-crypto.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { createHardwareTerminal } from '../../src/terminal/hardware-profile.js';
import type { Output } from '../../src/terminal/outputs.js';
import { alsaTestHome, identify, splitCapture } from '../audio/alsa-capture.js';
import { FifoDevice } from '../drivers/printer/devices.js';
import { startTestSi } from '../si-dev/helpers.js';
import { fakeTimedatectl, memoryLogger } from '../helpers.js';
import { MODEL_CACHE, testEngine } from '../vision/engine-fixture.js';

// About 19 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 120 s.
t.setTimeout(120_000);

const W = 1280;
const H = 800;
/** The panel's raw range, as its evdev driver reports it. */
const RAW = 4095;

/** A single-touch tap (finger down and up) at raw panel coordinates, as input_event records. */
function tapRecords(rawX: number, rawY: number): Buffer {
  const events = [
    { type: EV_ABS, code: ABS_X, value: rawX },
    { type: EV_ABS, code: ABS_Y, value: rawY },
    { type: EV_KEY, code: BTN_TOUCH, value: 1 },
    { type: EV_SYN, code: SYN_REPORT, value: 0 },
    { type: EV_KEY, code: BTN_TOUCH, value: 0 },
    { type: EV_SYN, code: SYN_REPORT, value: 0 },
  ];
  return Buffer.concat(events.map((e) => inputRecord(e, 24)));
}

t.test('a whole session on the hardware profile, checked at the devices', async (t) => {
  const ts = await startTestSi(t);
  const dir = ts.dir;

  // The framebuffer: device memory as a file, geometry in a sysfs-shaped folder.
  const fb = join(dir, 'fb0');
  writeFileSync(fb, Buffer.alloc(W * 4 * H));
  const sysfs = join(dir, 'sys-fb0');
  mkdirSync(sysfs);
  writeFileSync(join(sysfs, 'virtual_size'), `${W},${H}\n`);
  writeFileSync(join(sysfs, 'bits_per_pixel'), '32\n');
  writeFileSync(join(sysfs, 'stride'), `${W * 4}\n`);
  const cursorBlink = join(dir, 'cursor_blink');
  writeFileSync(cursorBlink, '1\n');
  // systemd's word on the clock: synchronised.
  fakeTimedatectl(t);

  // The touchscreen: a FIFO the panel's side holds read-write (see test/drivers/touch/evdev.test.ts).
  const event0 = join(dir, 'event0');
  execFileSync('mkfifo', [event0]);
  const panel: FileHandle = await open(event0, 'r+');

  const lp0 = new FifoDevice(join(dir, 'lp0'));
  const alsa = alsaTestHome(dir);
  const pair = await PtyPair.open(join(dir, 'idreader'), join(dir, 'idreader-far'));
  const reader = await Gat467Emulator.open(pair.far);
  const scanner = new HidScannerEmulator(join(dir, 'scanner'));
  scanner.plug();
  // The devices' far ends go after the terminal (stopped first, below).
  t.teardown(async () => {
    scanner.close();
    await reader.close();
    await pair.close();
    lp0.close();
    await panel.close();
  });
  // No pcscd on this socket: the social security card reader is down, the others serve.
  process.env.PCSCLITE_CSOCK_NAME = join(dir, 'no-pcscd.comm');

  const keyFile = join(dir, 'outbox.key');
  createOutboxKey(keyFile);
  const config = ts.config({
    profile: 'hardware',
    terminal: { number: 'T-0042' },
    liveness: { actions: ['raise_head'], count: 1 },
    vision: { modelCache: MODEL_CACHE },
    devices: {
      idReader: { port: pair.device },
      barcode: { mode: 'hid', device: scanner.path },
      camera: { kind: 'synth' },
      touch: { device: event0 },
      display: { framebuffer: fb, sysfsDir: sysfs, cursorBlink },
      speaker: { alsaDevice: alsa.device },
      printer: { device: lp0.path, statusQuery: false },
    },
    voice: { cacheDir: join(dir, 'voice'), recordingsDir: '' },
    outbox: { path: join(dir, 'outbox.sqlite'), keyFile },
  });
  t.equal(config.vision.kind, 'opencv', 'the hardware preset: the face pipeline');
  t.equal(config.outbox.store, 'sqlite', 'the hardware preset: the durable outbox');

  const outputs: Output[] = [];
  let onScreen: (screen: ScreenId, serving: boolean) => void = () => {};
  const { logger, lines } = memoryLogger('warn');
  const hw = await createHardwareTerminal({
    config,
    clock: new RealClock(),
    logger,
    seed: 3,
    engine: testEngine(),
    env: alsa.env,
    onOutput: (o) => {
      outputs.push(o);
      if (o.kind === 'screen' && !o.overlay) onScreen(o.screen, o.fields.canServe !== false);
    },
  });
  const { terminal, display } = hw;

  // The person: reads each new screen for a moment (past the touch guard), then acts on it.
  const press = async (button: ButtonId) => {
    const r = layoutButtons(terminal.view!, display.size).find((b) => b.id === button)?.rect;
    if (!r) throw new Error(`no ${button} button on ${terminal.view!.screen}`);
    await panel.write(tapRecords(Math.round(((r.x + r.width / 2) / W) * RAW), Math.round(((r.y + r.height / 2) / H) * RAW)));
  };
  const person = testPerson('due').identity;
  const script: Partial<Record<ScreenId, () => unknown>> = {
    home: () => press('start'),
    identify: () => reader.place({ name: person.name, gender: person.gender, idNumber: person.idNumber, birthDate: person.birthDate ?? '' }),
    confirm: () => {
      reader.remove();
      return press('enter');
    },
    service: () => press('apply'),
    consent: () => press('agree'),
    captured: () => press('submit'),
    result: () => press('exit'),
  };
  let last: ScreenId | null = null;
  const ended = new Promise<void>((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error(`the session did not end; last screen ${last}`)), 90_000);
    // Home is acted on once it serves: under load the clock check may answer after the first frame.
    onScreen = (screen, serving) => {
      if (screen === last || !serving) return;
      last = screen;
      if (screen === 'home' && outputs.some((o) => o.kind === 'session' && o.event === 'ended')) {
        clearTimeout(limit);
        resolve();
        return;
      }
      const act = script[screen];
      if (act) setTimeout(() => Promise.resolve(act()).catch(reject), 700);
    };
  });
  t.teardown(() => terminal.stop());
  await terminal.start();
  t.equal(readFileSync(cursorBlink, 'utf8'), '0', 'the console cursor stops blinking over the kiosk');
  onScreen(terminal.view!.screen, terminal.view!.fields.canServe !== false);
  await ended;

  const screens = outputs.filter((o) => o.kind === 'screen').map((o) => (o as { screen: ScreenId }).screen);
  for (const s of ['identify', 'confirm', 'service', 'consent', 'capture', 'captured', 'result'] as const) t.ok(screens.includes(s), `went through ${s}`);
  const session = outputs.find((o) => o.kind === 'session' && o.event === 'ended');
  t.match(session, { reason: 'finished' }, 'the session finished');
  t.equal(terminal.machineActor.getSnapshot().context.devices.sscReader.ok, false, 'no pcscd: the card reader is reported down');

  // The SI got the proof of life with the photo the pipeline took.
  t.equal(ts.store.submissions().length, 1, 'one submission reached the SI');
  t.equal(hw.outbox.stats().pending, 0, 'nothing left in the outbox');
  t.ok(display.stats.previewBlits > 0, 'the camera picture was shown on the capture screen');

  // The receipt went to the printer with the number the SI gave.
  const receipt = outputs.find((o) => o.kind === 'receipt') as Extract<Output, { kind: 'receipt' }> | undefined;
  const receiptNo = String(receipt?.fields.receiptNo ?? '');
  t.ok(receiptNo.length > 0, 'a receipt number');
  const printed = await lp0.received(1);
  t.ok(printed.includes(Buffer.from(receiptNo, 'ascii')), 'the printer received the receipt with its number');

  // What the person heard: the prompts played by aplay, identified exactly from the capture.
  const said = outputs.filter((o) => o.kind === 'prompt').map((o) => (o as { id: PromptId }).id);
  const sounds = new Map<string, Wav>();
  for (const id of new Set(said)) sounds.set(id, (await hw.sounds.sound(id)).wav);
  const heard = identify(splitCapture(readFileSync(alsa.capture)), sounds).filter((h) => h !== '?');
  t.ok(heard.length >= 3, `prompts heard whole: ${heard.join(', ')}`);
  let at = 0;
  const inOrder = heard.every((h) => (at = said.indexOf(h as PromptId, at) + 1) > 0);
  t.ok(inOrder, 'each prompt heard is one the terminal said, in the order said');

  // The panel shows exactly the screen the terminal is on (home), in the framebuffer's pixel layout.
  const expected = Buffer.alloc(W * 4 * H);
  const image = new ScreenRenderer({ width: W, height: H }, config.devices.display.fonts).render(terminal.view!, {});
  convert(image.data, W * 4, W, H, 'xrgb8888', expected, 0, W * 4);
  t.ok(readFileSync(fb).equals(expected), 'the framebuffer holds the home screen');
  await terminal.stop();
  t.ok(lines.length > 0 && lines.every((l) => l.reason === 'pcscd-unavailable'), `the only warnings are the missing pcscd's: ${lines.map((l) => l.msg).join('; ')}`);
  t.ok(readFileSync(fb).every((b) => b === 0), 'stopping blanks the panel: nothing of the last person stays on it');
});

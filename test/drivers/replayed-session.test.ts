/**
 * The seed happy path replayed through the real speaker and printer drivers: real espeak-ng
 * prompts played by real aplay into an ALSA file PCM, the receipt written by the usblp driver into
 * a FIFO. What was heard and what was printed are checked from those captures, not from the
 * terminal's own account. Then the same session with no sound card and no printer.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PromptSounds } from '../../src/audio/prompt-sounds.js';
import type { PromptId } from '../../src/audio/prompts.js';
import { EspeakTts } from '../../src/audio/tts.js';
import { scaleVolume, type Wav } from '../../src/audio/wav.js';
import { RealClock, settle } from '../../src/clock/clock.js';
import { renderEscPos } from '../../src/drivers/printer/escpos.js';
import { renderReceiptPng } from '../../src/drivers/printer/picture.js';
import type { PrinterPort, Receipt } from '../../src/drivers/printer/port.js';
import { UsblpPrinter } from '../../src/drivers/printer/usblp.js';
import { AlsaSpeaker } from '../../src/drivers/speaker/alsa.js';
import { compareOutputs } from '../../src/trace/compare.js';
import { loadTrace, replay } from '../../src/trace/replay.js';
import { ROOT, TRACE_DIR, memoryLogger } from '../helpers.js';
import { alsaTestHome, identify, splitCapture } from '../audio/alsa-capture.js';
import { samePicture } from './pictures.js';
import { FifoDevice } from './printer/devices.js';

const VOLUME = 80;

function drivers(dir: string, device: { sound?: string; printer?: string } = {}) {
  const alsa = alsaTestHome(dir);
  const { logger, lines } = memoryLogger();
  const sounds = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'voice-cache'), recordingsDir: join(dir, 'recordings'), tts: new EspeakTts(), logger });
  const speaker = new AlsaSpeaker({ device: device.sound ?? alsa.device, volume: VOLUME, sounds, logger, env: alsa.env, prerender: false });
  const printer = new UsblpPrinter({
    device: device.printer ?? join(dir, 'lp0'),
    paper: 80,
    qr: 'native',
    statusQuery: false,
    statusTimeoutMs: 1000,
    timeoutMs: 5000,
    pollMs: 0,
    clock: new RealClock(),
    logger,
  });
  // The simulated clock moves on only once the prompts have been played and the receipt written.
  const pause = async () => {
    await settle();
    await speaker.idle();
    await printer.idle();
  };
  return { alsa, sounds, speaker, printer, pause, lines };
}

t.test('seed happy path: the prompts heard and the receipt printed, checked from the captures', async (t) => {
  const dir = t.testdir();
  const { alsa, sounds, speaker, printer, pause } = drivers(dir);
  // A maintainer's recording of 验证成功 replaces the synthetic one.
  mkdirSync(join(dir, 'recordings', 'cmn'), { recursive: true });
  execFileSync('sox', ['-n', '-r', '22050', '-c', '1', '-b', '16', join(dir, 'recordings', 'cmn', 'result.success.wav'), 'synth', '0.8', 'sine', '523']);
  const prerender = await sounds.prerender();
  t.comment(`prerendered: ${JSON.stringify(prerender)}`);
  const lp0 = new FifoDevice(join(dir, 'lp0'));
  t.teardown(() => lp0.close());

  // A real receipt takes 2-4 s, longer than 「正在打印回执，请稍候」: here the FIFO takes it at once,
  // so the job waits for the prompt, as on a real printer, or the result would cut it off.
  const slowPrinter: PrinterPort = {
    start: () => printer.start(),
    stop: () => printer.stop(),
    onStatus: (l) => printer.onStatus(l),
    print: async (r, signal) => {
      await speaker.idle();
      return printer.print(r, signal);
    },
  };
  const trace = await loadTrace(join(TRACE_DIR, 'seed-happy-path.jsonl'));
  const result = await replay(trace, { ports: { speaker, printer: slowPrinter }, settle: pause });
  await printer.stop();

  // Everything the trace expects, in order; only the times after printing differ (the real
  // printer takes no simulated time, the simulated one 2.5 s).
  const untimed = trace.expects.map(({ at: _at, ...e }) => e);
  t.equal(compareOutputs(untimed, result.outputs, ['screen', 'prompt', 'receipt', 'session', 'si']), null, result.report ?? '');

  // What was heard: every prompt the trace expects, whole, in order, at the configured volume.
  const expected = trace.expects.filter((e) => e.expect === 'prompt').map((e) => e.id as PromptId);
  const sound = new Map<string, Wav>();
  for (const id of new Set(expected)) sound.set(id, scaleVolume((await sounds.sound(id)).wav, VOLUME));
  const heard = identify(splitCapture(readFileSync(alsa.capture)), sound);
  t.same(heard, expected);
  t.equal((await sounds.sound('result.success')).source, 'recording', 'the recording was what was heard for result.success');

  // What was printed: the receipt handed to the printer, as ESC/POS bytes in the FIFO.
  const receipt = result.outputs.find((o) => o.kind === 'receipt')!.fields as unknown as Receipt;
  const bytes = renderEscPos(receipt, { paper: 80, qr: 'native' });
  t.ok(lp0.bytes.equals(bytes), `${lp0.bytes.length} bytes in the FIFO, exactly the receipt's`);
  t.ok(bytes.equals(readFileSync(join(ROOT, 'test', 'golden', 'receipts', 'accepted-80.bin'))), 'and the golden receipt');
  t.ok(samePicture(renderReceiptPng(receipt, 80), readFileSync(join(ROOT, 'test', 'golden', 'receipts', 'accepted-80.png'))), 'its picture is the golden one');
  const resultScreen = result.outputs.find((o) => o.kind === 'screen' && o.screen === 'result');
  t.match(resultScreen, { fields: { printed: true } });
});

t.test('no sound card and no printer: the same session ends honestly, each fault logged once', async (t) => {
  const dir = t.testdir();
  const { speaker, printer, pause, lines } = drivers(dir, { sound: 'hw:CARD=LifecheckNoSuchCard', printer: join(dir, 'no-such-lp0') });
  const trace = await loadTrace(join(TRACE_DIR, 'seed-happy-path.jsonl'));
  const result = await replay(trace, { ports: { speaker, printer }, settle: pause });
  await printer.stop();
  const screens = result.outputs.filter((o) => o.kind === 'screen').map((o) => (o.kind === 'screen' ? o.screen : ''));
  t.same(screens.slice(-2), ['result', 'home'], 'the session went on to the end and back home');
  t.match(result.outputs.find((o) => o.kind === 'screen' && o.screen === 'result'), { fields: { printed: false, printerProblem: 'offline' } });
  t.ok(result.outputs.some((o) => o.kind === 'prompt' && o.id === 'receipt.failed'), 'the person is told the receipt was not printed');
  const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
  t.same(warnings.filter((m) => /voice prompts cannot be played/.test(m)).length, 1, 'sound fault logged once for 14 prompts');
  t.same(warnings.filter((m) => /receipt not printed/.test(m)).length, 1);
  t.notMatch(JSON.stringify(lines), /陈秀英|440604/, 'no name or ID number in the logs');
});

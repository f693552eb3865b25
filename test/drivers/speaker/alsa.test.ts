/**
 * The ALSA speaker through real aplay into ALSA file PCMs (see test/audio/alsa-capture.ts), with
 * real espeak-ng prompts: what was played, in which order, cut short when, at what volume, and
 * what happens without a sound card.
 */
import { constants, existsSync, openSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PROMPT_IDS } from '../../../src/audio/catalogue.js';
import { PromptSounds } from '../../../src/audio/prompt-sounds.js';
import type { PromptId } from '../../../src/audio/prompts.js';
import { EspeakTts } from '../../../src/audio/tts.js';
import { scaleVolume, type Wav } from '../../../src/audio/wav.js';
import { AlsaSpeaker, type SpeakerEvent } from '../../../src/drivers/speaker/alsa.js';
import { silentLogger, type Logger } from '../../../src/log/logger.js';
import { memoryLogger } from '../../helpers.js';
import { alsaTestHome, identify, splitCapture, type AlsaTestHome } from '../../audio/alsa-capture.js';

function setup(t: Test, opts: { volume?: number; device?: 'capture' | 'fifo' | string; logger?: Logger; aplay?: string } = {}) {
  const dir = t.testdir();
  const alsa = alsaTestHome(dir);
  const sounds = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'cache'), recordingsDir: '', tts: new EspeakTts(), logger: silentLogger() });
  const device = opts.device === undefined || opts.device === 'capture' ? alsa.device : opts.device === 'fifo' ? alsa.fifoDevice : opts.device;
  const speaker = new AlsaSpeaker({
    device,
    volume: opts.volume ?? 100,
    sounds,
    logger: opts.logger ?? silentLogger(),
    env: alsa.env,
    prerender: false,
    ...(opts.aplay ? { aplay: opts.aplay } : {}),
  });
  const events: SpeakerEvent[] = [];
  speaker.onEvent((e) => events.push(e));
  return { dir, alsa, sounds, speaker, events };
}

async function soundsOf(sounds: PromptSounds, ids: PromptId[], volume = 100): Promise<Map<string, Wav>> {
  const map = new Map<string, Wav>();
  for (const id of ids) map.set(id, scaleVolume((await sounds.sound(id)).wav, volume));
  return map;
}

function captured(alsa: AlsaTestHome): Buffer {
  return existsSync(alsa.capture) ? readFileSync(alsa.capture) : Buffer.alloc(0);
}

t.test('prompts are played one after another, as asked, each whole', async (t) => {
  const { alsa, sounds, speaker, events } = setup(t);
  await speaker.start();
  speaker.play('identify.tap_card');
  await speaker.idle();
  speaker.play('confirm.check_info');
  await speaker.idle();
  await speaker.stop();
  const played = identify(splitCapture(captured(alsa)), await soundsOf(sounds, ['identify.tap_card', 'confirm.check_info']));
  t.same(played, ['identify.tap_card', 'confirm.check_info']);
  t.same(
    events.map((e) => `${e.type}:${e.prompt}`),
    ['played:identify.tap_card', 'played:confirm.check_info'],
  );
});

t.test('prompts asked for in the same turn are one utterance, said in order, none cut', async (t) => {
  const { alsa, sounds, speaker } = setup(t);
  await speaker.start();
  speaker.play('result.success');
  speaker.play('receipt.take');
  await speaker.idle();
  await speaker.stop();
  t.same(identify(splitCapture(captured(alsa)), await soundsOf(sounds, ['result.success', 'receipt.take'])), ['result.success', 'receipt.take']);
});

t.test('volume from config scales the samples', async (t) => {
  const { alsa, sounds, speaker } = setup(t, { volume: 50 });
  await speaker.start();
  speaker.play('action.nod');
  await speaker.idle();
  await speaker.stop();
  const [segment] = splitCapture(captured(alsa));
  const full = (await sounds.sound('action.nod')).wav;
  t.same(identify([segment!], await soundsOf(sounds, ['action.nod'], 50)), ['action.nod']);
  t.notOk(identify([segment!], new Map([['full', full]]))[0] === 'full', 'not played at full volume');
  const peak = (b: Buffer) => {
    let m = 0;
    for (let i = 0; i + 1 < b.length; i += 2) m = Math.max(m, Math.abs(b.readInt16LE(i)));
    return m;
  };
  t.ok(Math.abs(peak(segment!.data) - peak(full.data) / 2) <= 1, 'peak halved');
});

/** Reads the FIFO sound card; stops reading (the card "plays" slowly) until told to go on. */
function fifoReader(alsa: AlsaTestHome) {
  execFileSync('mkfifo', [alsa.fifo]);
  // Opened read-write so that it never sees end-of-file between two aplay runs; read through a
  // libuv pipe (not the fs thread pool) so that closing it does not leave a read blocked.
  const fd = openSync(alsa.fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const stream = new Socket({ fd, readable: true, writable: false });
  const chunks: Buffer[] = [];
  let total = 0;
  const waiters: Array<{ bytes: number; resolve: () => void }> = [];
  stream.on('data', (b) => {
    chunks.push(b as Buffer);
    total += b.length;
    for (const w of waiters.splice(0)) if (total >= w.bytes) w.resolve();
    else waiters.push(w);
  });
  return {
    /** Resolves once at least `bytes` have arrived. */
    received: (bytes: number) => new Promise<void>((resolve) => (total >= bytes ? resolve() : waiters.push({ bytes, resolve }))),
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    bytes: () => Buffer.concat(chunks),
    close: () => stream.destroy(),
  };
}

t.test('a new prompt interrupts the one playing', async (t) => {
  const { alsa, sounds, speaker, events } = setup(t, { device: 'fifo' });
  const expected = await soundsOf(sounds, ['consent.ask', 'action.blink']);
  const reader = fifoReader(alsa);
  await speaker.start();
  speaker.play('consent.ask'); // ~10 s of speech: far more than the pipe holds
  await reader.received(8192);
  reader.pause();
  speaker.play('action.blink');
  reader.resume();
  await speaker.idle();
  await reader.received(expected.get('action.blink')!.data.length);
  await speaker.stop();
  reader.close();
  const segments = splitCapture(reader.bytes());
  t.equal(segments.length, 2);
  const consent = expected.get('consent.ask')!.data;
  t.ok(segments[0]!.data.length < consent.length, 'consent.ask was cut short');
  t.ok(consent.subarray(0, segments[0]!.data.length).equals(segments[0]!.data), 'what was heard of it is its beginning');
  t.same(identify(segments.slice(1), expected), ['action.blink']);
  t.same(
    events.map((e) => `${e.type}:${e.prompt}`),
    ['interrupted:consent.ask', 'played:action.blink'],
  );
});

t.test('asking again for the prompt still being said lets it finish (the machine repeats from the start of a slow prompt)', async (t) => {
  const { alsa, sounds, speaker, events } = setup(t, { device: 'fifo' });
  const expected = await soundsOf(sounds, ['capture.face_camera']);
  const reader = fifoReader(alsa);
  await speaker.start();
  speaker.play('capture.face_camera');
  await reader.received(8192);
  reader.pause(); // the card is slow: the prompt cannot finish before the repeat comes
  speaker.play('capture.face_camera'); // PROMPT_REPEAT fired while it is still playing
  reader.resume();
  await speaker.idle();
  await speaker.stop();
  await reader.received(44 + expected.get('capture.face_camera')!.data.length);
  reader.close();
  t.same(identify(splitCapture(reader.bytes()), expected), ['capture.face_camera']);
  t.same(events.map((e) => e.type), ['played']);
});

t.test('silence() stops the prompt playing and drops the rest of the utterance', async (t) => {
  const { alsa, speaker, events } = setup(t, { device: 'fifo' });
  const reader = fifoReader(alsa);
  await speaker.start();
  speaker.play('consent.ask');
  speaker.play('consent.declined');
  await reader.received(8192);
  reader.pause();
  speaker.silence();
  reader.resume();
  await speaker.idle();
  await speaker.stop();
  reader.close();
  t.equal(splitCapture(reader.bytes()).length, 1, 'only the interrupted prompt reached the card');
  t.same(events.map((e) => `${e.type}:${e.prompt}`), ['interrupted:consent.ask']);
});

t.test('a missing sound card is logged once, and the speaker keeps taking prompts', async (t) => {
  const { logger, lines } = memoryLogger();
  const { speaker, events } = setup(t, { device: 'hw:CARD=LifecheckNoSuchCard', logger });
  await speaker.start();
  for (const id of ['identify.tap_card', 'confirm.check_info', 'service.choose'] as const) {
    speaker.play(id);
    await speaker.idle();
  }
  await speaker.stop();
  t.same(events.map((e) => e.type), ['failed', 'failed', 'failed']);
  const warnings = lines.filter((l) => l.level === 40);
  t.equal(warnings.length, 1, 'one warning for three failed prompts');
  t.match(warnings[0], { msg: /cannot be played/, device: 'hw:CARD=LifecheckNoSuchCard', reason: /audio open error/ });
});

t.test('a card that comes back is logged as working, and a new failure is logged again', async (t) => {
  const { logger, lines } = memoryLogger();
  const dir = t.testdir();
  const alsa = alsaTestHome(dir);
  const sounds = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'cache'), recordingsDir: '', tts: new EspeakTts(), logger: silentLogger() });
  // The card comes and goes with aplay's HOME: with the .asoundrc that defines it, or without.
  const env = { ...alsa.env };
  const speaker = new AlsaSpeaker({ device: alsa.device, volume: 100, sounds, logger, env, prerender: false });
  await speaker.start();
  const say = async (id: PromptId) => {
    speaker.play(id);
    await speaker.idle();
  };
  env.HOME = join(dir, 'no-such-home');
  await say('action.nod');
  await say('action.blink');
  env.HOME = alsa.env.HOME;
  await say('action.nod');
  env.HOME = join(dir, 'no-such-home');
  await say('action.blink');
  await speaker.stop();
  t.same(
    lines.map((l) => l.msg),
    [
      'voice prompts cannot be played; the terminal goes on without voice',
      'sound output works again',
      'voice prompts cannot be played; the terminal goes on without voice',
    ],
  );
});

t.test('a missing aplay is logged once and play() never throws', async (t) => {
  const { logger, lines } = memoryLogger();
  const { speaker, events } = setup(t, { aplay: '/nonexistent/aplay', logger });
  await speaker.start();
  speaker.play('action.nod');
  await speaker.idle();
  speaker.play('action.blink');
  await speaker.idle();
  await speaker.stop();
  t.same(events.map((e) => e.type), ['failed', 'failed']);
  t.equal(lines.filter((l) => l.level === 40).length, 1);
  t.match(lines[0], { reason: /cannot be started: spawn \/nonexistent\/aplay ENOENT/ });
});

t.test('start() prerenders the catalogue in the background; stop() waits for it', async (t) => {
  const dir = t.testdir();
  const alsa = alsaTestHome(dir);
  const sounds = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'cache'), recordingsDir: '', tts: new EspeakTts(), logger: silentLogger() });
  const speaker = new AlsaSpeaker({ device: alsa.device, volume: 100, sounds, logger: silentLogger(), env: alsa.env });
  await speaker.start();
  const report = await speaker.ready;
  await speaker.stop();
  t.ok(report);
  t.equal(report!.failed, 0);
  t.equal(report!.synthesized + report!.cached, PROMPT_IDS.length, 'every prompt of the catalogue');
  t.equal(existsSync(alsa.capture), false, 'prerendering plays nothing');
  t.throws(() => new AlsaSpeaker({ device: 'x', volume: 101, sounds, logger: silentLogger() }), /outside 0-100/);
});

t.test('stop() during the first prerender ends it after the prompt being rendered (within systemd stop timeout)', async (t) => {
  const dir = t.testdir();
  const alsa = alsaTestHome(dir);
  const sounds = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'cache'), recordingsDir: '', tts: new EspeakTts(), logger: silentLogger() });
  const { logger, lines } = memoryLogger();
  const speaker = new AlsaSpeaker({ device: alsa.device, volume: 100, sounds, logger, env: alsa.env });
  await speaker.start();
  await speaker.stop();
  const report = await speaker.ready;
  t.equal(report?.stopped, true);
  t.equal(report!.synthesized + report!.cached, 1, 'only the prompt already being rendered');
  t.match(lines.at(-1), { msg: 'voice prerender stopped (the terminal is stopping)' });
  // What was not rendered is rendered when first said.
  t.equal((await sounds.sound(PROMPT_IDS.at(-1)!)).source, 'synthesized');
});

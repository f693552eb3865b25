/**
 * A sound card for tests: ALSA's `file` PCM plugin, configured in a test HOME's .asoundrc, writes
 * what aplay plays as WAV (to the `null` PCM, so nothing is heard and nothing waits for real time).
 * Every aplay run appends one WAV to the capture; splitting on the RIFF headers gives what was
 * played, in order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Wav } from '../../src/audio/wav.js';

export interface AlsaTestHome {
  /** Environment for aplay: HOME points at the folder with the .asoundrc. */
  env: NodeJS.ProcessEnv;
  /** PCM appending every playback to `capture`. */
  device: string;
  capture: string;
  /** PCM writing into `fifo` (blocks when the test stops reading: a slow sound card). */
  fifoDevice: string;
  fifo: string;
}

export function alsaTestHome(dir: string): AlsaTestHome {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const capture = join(dir, 'capture.wavs');
  const fifo = join(dir, 'playback.fifo');
  writeFileSync(
    join(home, '.asoundrc'),
    `# lifecheck test sound cards
pcm.lifecheck_capture {
  type file
  slave.pcm "null"
  file "|cat >> '${capture}'"
  format "wav"
}
pcm.lifecheck_fifo {
  type file
  slave.pcm "null"
  file "${fifo}"
  format "wav"
}
`,
  );
  return { env: { ...process.env, HOME: home }, device: 'lifecheck_capture', capture, fifoDevice: 'lifecheck_fifo', fifo };
}

export interface PlayedSegment {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Samples as played, padded with silence to ALSA's period. */
  data: Buffer;
}

/** Splits a capture into one segment per playback. The plugin cannot seek back in a pipe, so the size fields stay 0: the data runs to the next header. */
export function splitCapture(bytes: Buffer): PlayedSegment[] {
  const starts: number[] = [];
  for (let i = bytes.indexOf('RIFF'); i >= 0; i = bytes.indexOf('RIFF', i + 4)) {
    if (bytes.toString('latin1', i + 8, i + 16) === 'WAVEfmt ') starts.push(i);
  }
  if (bytes.length > 0 && starts[0] !== 0) throw new Error('capture does not start with a WAV header');
  return starts.map((start, n) => {
    const end = starts[n + 1] ?? bytes.length;
    const dataAt = bytes.indexOf('data', start + 12);
    return {
      channels: bytes.readUInt16LE(start + 22),
      sampleRate: bytes.readUInt32LE(start + 24),
      bitsPerSample: bytes.readUInt16LE(start + 34),
      data: bytes.subarray(dataAt + 8, end),
    };
  });
}

/** Whether a played segment is exactly this sound: same format, same samples, then only silence. */
export function segmentIs(segment: PlayedSegment, wav: Wav): boolean {
  const f = wav.format;
  if (segment.channels !== f.channels || segment.sampleRate !== f.sampleRate || segment.bitsPerSample !== f.bitsPerSample) return false;
  if (segment.data.length < wav.data.length) return false;
  if (!segment.data.subarray(0, wav.data.length).equals(wav.data)) return false;
  return segment.data.subarray(wav.data.length).every((b) => b === 0);
}

/** Names each segment by the sound it is exactly; '?' when none matches. */
export function identify(segments: PlayedSegment[], sounds: Map<string, Wav>): string[] {
  return segments.map((s) => [...sounds].find(([, wav]) => segmentIs(s, wav))?.[0] ?? '?');
}

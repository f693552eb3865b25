/**
 * Just enough of RIFF/WAVE for prompts: read the PCM format and samples of a synthetic or recorded
 * prompt, scale its volume, and write it back with correct sizes (espeak-ng's --stdout and pipes
 * leave the size fields unknown).
 */

export interface PcmFormat {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

export interface Wav {
  format: PcmFormat;
  /** Interleaved little-endian samples. */
  data: Buffer;
}

export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

const PCM = 1;
const HEADER_BYTES = 44;

export function parseWav(bytes: Buffer): Wav {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavError('not a RIFF/WAVE file');
  }
  let format: PcmFormat | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavError('fmt chunk too short');
      const audioFormat = bytes.readUInt16LE(body);
      if (audioFormat !== PCM) throw new WavError(`audio format ${audioFormat} is not plain PCM`);
      format = { channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), bitsPerSample: bytes.readUInt16LE(body + 14) };
      if (format.channels < 1 || format.sampleRate < 1 || format.bitsPerSample % 8 !== 0 || format.bitsPerSample === 0) {
        throw new WavError(`unusable PCM format ${JSON.stringify(format)}`);
      }
    } else if (id === 'data') {
      if (!format) throw new WavError('data chunk before fmt chunk');
      // A streamed WAV does not know its length yet: its data runs to the end of the bytes.
      const end = size > bytes.length - body ? bytes.length : body + size;
      const frame = format.channels * (format.bitsPerSample / 8);
      const usable = end - body - ((end - body) % frame);
      return { format, data: bytes.subarray(body, body + usable) };
    }
    offset = body + size + (size % 2);
  }
  throw new WavError(format ? 'no data chunk' : 'no fmt chunk');
}

/** A canonical 44-byte-header WAV with the sizes filled in. */
export function encodeWav(wav: Wav): Buffer {
  const { channels, sampleRate, bitsPerSample } = wav.format;
  const header = Buffer.alloc(HEADER_BYTES);
  const blockAlign = channels * (bitsPerSample / 8);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + wav.data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(wav.data.length, 40);
  return Buffer.concat([header, wav.data]);
}

/** Scales 16-bit samples to `percent` of their amplitude (0–100); 100 returns the same samples. */
export function scaleVolume(wav: Wav, percent: number): Wav {
  if (wav.format.bitsPerSample !== 16) throw new WavError(`volume needs 16-bit samples, not ${wav.format.bitsPerSample}-bit`);
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`volume ${percent} is outside 0-100`);
  if (percent === 100) return wav;
  const out = Buffer.alloc(wav.data.length);
  for (let i = 0; i + 1 < wav.data.length; i += 2) out.writeInt16LE(Math.round((wav.data.readInt16LE(i) * percent) / 100), i);
  return { format: wav.format, data: out };
}

export function durationMs(wav: Wav): number {
  const { channels, sampleRate, bitsPerSample } = wav.format;
  return (wav.data.length / (channels * (bitsPerSample / 8)) / sampleRate) * 1000;
}

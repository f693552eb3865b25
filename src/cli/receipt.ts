/**
 * `lifecheck receipt [--fixture NAME] [--paper 58|80] [--qr native|image] [--config FILE] --out FILE`:
 * a sample receipt as the printer's ESC/POS bytes (.bin), or as a picture (.png, .svg).
 * Paper and QR mode default to the configuration; usage errors are reported here (exit 2).
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { renderEscPos, type QrMode } from '../drivers/printer/escpos.js';
import { isReceiptFixture, RECEIPT_FIXTURES } from '../drivers/printer/fixtures.js';
import { renderReceiptPng, renderReceiptSvg } from '../drivers/printer/picture.js';
import type { PaperWidth } from '../drivers/printer/receipt-markup.js';

const USAGE = `Usage: lifecheck receipt [--fixture NAME] [--paper 58|80] [--qr native|image] [--config FILE] --out FILE.bin|FILE.png|FILE.svg
       lifecheck receipt --list
`;

class ReceiptUsageError extends Error {}

export async function receipt(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    return await run(args, out);
  } catch (e) {
    if (!(e instanceof ReceiptUsageError)) throw e;
    err.write(`lifecheck: ${e.message}\n\n${USAGE}`);
    return 2;
  }
}

async function run(args: string[], out: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { fixture: { type: 'string' }, paper: { type: 'string' }, qr: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, list: { type: 'boolean' } },
    });
  } catch (e) {
    throw new ReceiptUsageError((e as Error).message);
  }
  const { values } = parsed;
  const names = Object.keys(RECEIPT_FIXTURES);
  if (values.list) {
    out.write(`fixtures: ${names.join(' ')}\n`);
    return 0;
  }
  const fixture = values.fixture ?? 'accepted';
  if (!isReceiptFixture(fixture)) throw new ReceiptUsageError(`unknown fixture '${fixture}' (have: ${names.join(', ')})`);
  if (values.paper !== undefined && values.paper !== '58' && values.paper !== '80') throw new ReceiptUsageError(`--paper must be 58 or 80 (got '${values.paper}')`);
  if (values.qr !== undefined && values.qr !== 'native' && values.qr !== 'image') throw new ReceiptUsageError(`--qr must be native or image (got '${values.qr}')`);
  if (!values.out) throw new ReceiptUsageError('receipt needs --out FILE.bin, FILE.png or FILE.svg');
  const kind = extname(values.out).toLowerCase();
  if (kind !== '.bin' && kind !== '.png' && kind !== '.svg') throw new ReceiptUsageError(`--out must end in .bin (ESC/POS), .png or .svg (got '${values.out}')`);

  const config = loadConfig(values.config ? { file: values.config } : {});
  const paper = (values.paper ? Number(values.paper) : config.devices.printer.paperWidth) as PaperWidth;
  const qr = (values.qr ?? config.devices.printer.qr) as QrMode;
  const data = RECEIPT_FIXTURES[fixture]();
  const bytes = kind === '.bin' ? renderEscPos(data, { paper, qr }) : kind === '.png' ? renderReceiptPng(data, paper) : Buffer.from(renderReceiptSvg(data, paper));
  await writeFile(values.out, bytes);
  out.write(`${values.out}: receipt '${fixture}' on ${paper} mm paper, ${kind === '.bin' ? `ESC/POS, ${qr} QR, ` : ''}${bytes.length} bytes\n`);
  return 0;
}

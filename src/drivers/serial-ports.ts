/**
 * Serial ports this machine has, for `lifecheck devices`. serialport's list() asks udevadm, which
 * a minimal image (or a container) lacks; then the ports are found by name under /dev instead:
 * USB-serial adapters (ttyUSB, ttyACM), on-board UARTs (ttyAMA, and ttyS with a
 * device behind them) and the stable names in /dev/serial/by-id.
 */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SerialPort } from 'serialport';

export interface SerialPortSeen {
  path: string;
  /** What we know besides the path (maker, USB ids, what a by-id link points to). */
  detail: string;
}

export interface SerialPortList {
  ports: SerialPortSeen[];
  /** 'udev' when serialport could ask udevadm, else 'dev-scan' (and why). */
  source: 'udev' | 'dev-scan';
  note?: string;
}

export async function listSerialPorts(dev = '/dev', sys = '/sys/class/tty'): Promise<SerialPortList> {
  try {
    const ports = await SerialPort.list();
    return {
      source: 'udev',
      ports: ports.map((p) => ({
        path: p.path,
        detail: [p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.serialNumber].filter(Boolean).join(' '),
      })),
    };
  } catch (e) {
    return { source: 'dev-scan', note: `udev not available (${(e as Error).message})`, ports: scanDev(dev, sys) };
  }
}

function scanDev(dev: string, sys: string): SerialPortSeen[] {
  const seen: SerialPortSeen[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dev);
  } catch {
    return seen;
  }
  for (const name of names.sort()) {
    if (!/^tty(USB|ACM|AMA|XRUSB|S)\d+$/.test(name)) continue;
    // ttyS0..31 exist on most PCs whether or not a UART is there; only those bound to a real device count.
    if (name.startsWith('ttyS') && !existsSync(join(sys, name, 'device', 'driver'))) continue;
    seen.push({ path: join(dev, name), detail: '' });
  }
  const byId = join(dev, 'serial', 'by-id');
  if (existsSync(byId)) {
    for (const link of readdirSync(byId).sort()) {
      const path = join(byId, link);
      let target = '';
      try {
        target = resolve(byId, readlinkSync(path));
      } catch {
        // not a link
      }
      seen.push({ path, detail: target ? `→ ${target}` : '' });
    }
  }
  return seen;
}

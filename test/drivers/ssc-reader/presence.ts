/**
 * Waits until pcscd reports every reader empty. vpcd notices a card's socket closing only at its
 * next presence poll; a card put in before that would look like the same card still there. Tests
 * wait here (on pcscd's own status events) between one card and the next.
 */
import { closeReaders, createContext, trackReader, type PcscReader } from '../../../src/drivers/ssc-reader/pcsc.js';

export async function readersEmpty(timeoutMs = 5_000): Promise<void> {
  const context = createContext();
  const readers: PcscReader[] = [];
  const present = new Map<string, boolean>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readers still hold cards after ${timeoutMs} ms: ${JSON.stringify([...present])}`)), timeoutMs);
      const check = () => {
        // Every reader has reported (they arrive one by one) and none holds a card.
        if (readers.length > 0 && present.size === readers.length && [...present.values()].every((p) => !p)) {
          clearTimeout(timer);
          resolve();
        }
      };
      context.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      context.on('reader', (r) => {
        trackReader(r);
        readers.push(r);
        r.on('status', (s) => {
          present.set(r.name, (s.state & r.SCARD_STATE_PRESENT) !== 0);
          check();
        });
      });
    });
  } finally {
    await closeReaders(readers);
    context.close();
  }
}

/**
 * What a terminal visibly does, as records: the screens it shows, the prompts it says, the SI
 * requests it makes, the receipts it prints, the sessions it starts and ends. Traces compare these;
 * live recording writes them. None of them carries personal data unmasked.
 */
import type { PromptId } from '../audio/prompts.js';
import type { Fields, OverlayId, ScreenId } from '../screens/view.js';
import type { SiOp } from '../si-client/sim.js';

export type Output =
  | { kind: 'screen'; screen: ScreenId; mode: string | null; overlay: OverlayId | null; fields: Fields }
  | { kind: 'prompt'; id: PromptId }
  | { kind: 'si'; op: SiOp; fields: Fields }
  | { kind: 'receipt'; fields: Fields }
  | { kind: 'session'; event: 'started' | 'ended'; reason?: string };

export type OutputKind = Output['kind'];
export const OUTPUT_KINDS: readonly OutputKind[] = ['screen', 'prompt', 'si', 'receipt', 'session'];

/** An output with its time, in ms since the terminal (or trace) started. */
export type TimedOutput = Output & { at: number };

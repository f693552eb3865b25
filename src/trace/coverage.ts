/**
 * Model coverage: which states and transitions of the terminal machine a set of replays reached.
 * Every state node and every transition candidate (each guarded branch counts on its own) is
 * enumerated from the machine definition; replays record what they took through XState inspection.
 * A state or branch no trace reaches is a branch no one has ever seen work.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';

export function stateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const walk = (node: AnyStateNode) => {
    nodes.push(node);
    for (const child of Object.values(node.states) as AnyStateNode[]) walk(child);
  };
  walk(machine.root);
  return nodes;
}

/** Readable, stable name of a delayed or done event: drops the state path XState appends. */
function eventName(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  if (eventType.startsWith('xstate.done.actor.')) return 'done';
  if (eventType.startsWith('xstate.error.actor.')) return 'error';
  return eventType || 'always';
}

function transitionKey(t: AnyTransitionDefinition, index: number): string {
  const targets = (t.target ?? []).map((n: AnyStateNode) => `#${n.id}`).join(',') || '(stay)';
  return `#${t.source.id} --${eventName(t.eventType)}[${index}]--> ${targets}`;
}

export function allTransitions(machine: AnyStateMachine): string[] {
  const keys: string[] = [];
  for (const node of stateNodes(machine)) {
    for (const candidates of node.transitions.values()) candidates.forEach((t, i) => keys.push(transitionKey(t, i)));
    (node.always ?? []).forEach((t, i) => keys.push(transitionKey(t, i)));
  }
  return keys;
}

export class CoverageRecorder {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();

  readonly inspect = (event: InspectionEvent): void => {
    // Microsteps show states passed through within one event; snapshots include the initial state.
    if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
    const nodes = (event.snapshot as { _nodes?: AnyStateNode[] })._nodes ?? [];
    for (const n of nodes) this.states.add(n.id);
    if (event.type !== '@xstate.microstep') return;
    for (const t of event._transitions) {
      const candidates = t.eventType ? t.source.transitions.get(t.eventType) : t.source.always;
      this.transitions.add(transitionKey(t, Math.max(0, candidates?.indexOf(t) ?? 0)));
    }
  };

  report(machine: AnyStateMachine): CoverageReport {
    const states = stateNodes(machine).map((n) => n.id);
    const transitions = allTransitions(machine);
    return {
      states: { total: states.length, missed: states.filter((s) => !this.states.has(s)) },
      transitions: { total: transitions.length, missed: transitions.filter((t) => !this.transitions.has(t)) },
    };
  }
}

export interface CoverageReport {
  states: { total: number; missed: string[] };
  transitions: { total: number; missed: string[] };
}

export function describeCoverage(r: CoverageReport): string {
  const lines = [
    `states:      ${r.states.total - r.states.missed.length}/${r.states.total} reached`,
    `transitions: ${r.transitions.total - r.transitions.missed.length}/${r.transitions.total} taken`,
  ];
  for (const s of r.states.missed) lines.push(`  state never reached: #${s}`);
  for (const t of r.transitions.missed) lines.push(`  transition never taken: ${t}`);
  return lines.join('\n');
}

/**
 * Model coverage: which states and transitions of the terminal machine a set of replays reached.
 * Every state node and every transition candidate (each guarded branch counts on its own) is
 * enumerated from the machine definition with xstate/graph; replays record what they took through
 * XState inspection.
 * A state or branch no trace reaches is a branch no one has ever seen work.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';

interface GraphNode {
  stateNode: AnyStateNode;
  children: GraphNode[];
  edges: Array<{ transition: AnyTransitionDefinition }>;
}

/** Every state node of the machine, from xstate/graph's directed graph. */
export function stateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const walk = (node: GraphNode) => {
    nodes.push(node.stateNode);
    node.children.forEach(walk);
  };
  walk(toDirectedGraph(machine) as unknown as GraphNode);
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

/** Every transition candidate of the machine (each guarded branch on its own), from the graph's edges. */
export function allTransitions(machine: AnyStateMachine): string[] {
  const keys = new Set<string>();
  const walk = (node: GraphNode) => {
    for (const { transition: t } of node.edges) {
      keys.add(transitionKey(t, Math.max(0, t.source.transitions.get(t.eventType)?.indexOf(t) ?? 0)));
    }
    // The graph leaves out eventless (always) transitions: they count too.
    (node.stateNode.always ?? []).forEach((t, i) => keys.add(transitionKey(t, i)));
    node.children.forEach(walk);
  };
  walk(toDirectedGraph(machine) as unknown as GraphNode);
  return [...keys];
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

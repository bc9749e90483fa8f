// Points inside a step where a debugger may stop: what the interpreter is about to do, or has just done.
import type { ActionPhase, IoWhat } from '../../templates/runtime/trace-format.js';
import type { Instance, QueuedEvent } from './instance.js';
import type { ActionSpec, SignalSpec, SocketSpec, TimerSpec, TransitionSpec } from './program.js';
import type { StateNode } from './state-tree.js';

export type ProbePoint =
    /** An event (or a timer, a completion, the start) is taken from the machine's queue: its run-to-completion begins. */
    | { readonly kind: 'deliver'; readonly instance: Instance; readonly event: QueuedEvent }
    /** A transition (or a state's timer) was chosen and is about to run: nothing of it has happened yet. */
    | { readonly kind: 'transition'; readonly instance: Instance; readonly source: StateNode; readonly spec: TransitionSpec | TimerSpec; readonly event: string }
    /** A state was entered: it is active, its entry actions come next. */
    | { readonly kind: 'enter'; readonly instance: Instance; readonly state: StateNode }
    /** An action is about to run. */
    | { readonly kind: 'action'; readonly instance: Instance; readonly action: ActionSpec; readonly name: string; readonly phase: ActionPhase; readonly state: string }
    /** A signal reached a machine that binds it; its event comes next. */
    | { readonly kind: 'signal'; readonly instance: Instance; readonly spec: SignalSpec }
    /** Something happened on a socket (its trace line was written); the event the model maps to it, if any, comes next. */
    | { readonly kind: 'io'; readonly instance: Instance; readonly socket: SocketSpec; readonly what: IoWhat }
    /** The machine finished. */
    | { readonly kind: 'finish'; readonly instance: Instance };

export type Probe = (point: ProbePoint) => void;

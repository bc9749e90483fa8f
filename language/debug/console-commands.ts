// The Debug Console: scenario lines as commands (`send Coin`, `advance 2s`, `upstream reset`, `guard ready true`,
// `signal SIGTERM`), `help`, and completion of the names the model declares.
import { machineOfInstance } from '../semantics/instance.js';
import type { ProgramSpec } from '../semantics/program.js';
import { parseScenario, ScenarioSyntaxError, type ScenarioStep } from '../semantics/scenario.js';
import type { StateSpec } from '../semantics/program.js';

export const CONSOLE_HELP = [
    'Debug Console commands (scenario lines, run now, stopping at breakpoints):',
    '  send EVENT [JSON]            an event to the machine under test (EchoSession#1 send EVENT: to an instance)',
    '  advance DURATION             move the virtual clock (advance 1500ms, advance 2s): due timers fire',
    '  signal SIGNAL                a POSIX signal (signal SIGTERM)',
    '  guard NAME true|false …      a guard\'s value from now on (several: one per evaluation)',
    '  SOCKET connected|refused|timeout|drained|closed|reset|accept   (EchoSession#1.peer closed: a session\'s socket)',
    '  SOCKET data "TEXT"           bytes arrived (a JSON string);  PROCESS stdout "TEXT", PROCESS exit STATUS',
    '  SOCKET error CODE            an error (ECONNRESET, EADDRINUSE, …)',
    '  help                         this list'
].join('\n');

export type ConsoleLine = { readonly kind: 'help' } | { readonly kind: 'step'; readonly step: ScenarioStep } | { readonly kind: 'error'; readonly message: string };

/** Reads one Debug Console line. */
export function parseConsoleLine(text: string): ConsoleLine {
    const line = text.trim();
    if (line === 'help' || line === '?') {
        return { kind: 'help' };
    }
    if (line === '') {
        return { kind: 'error', message: `type a scenario step, like 'send Coin' or 'advance 2s' ('help' lists them)` };
    }
    try {
        const steps = parseScenario(line);
        if (steps.length !== 1) {
            return { kind: 'error', message: `one step per command ('help' lists them)` };
        }
        return { kind: 'step', step: steps[0]! };
    } catch (error) {
        if (error instanceof ScenarioSyntaxError) {
            return { kind: 'error', message: `${error.message} ('help' lists the commands)` };
        }
        throw error;
    }
}

function guardsOf(states: readonly StateSpec[], into: Set<string>): void {
    for (const state of states) {
        for (const transition of state.transitions) {
            if (transition.guard) {
                into.add(transition.guard.name);
            }
        }
        guardsOf(state.children, into);
    }
}

const STREAM_WORDS = ['connected', 'refused', 'timeout', 'data', 'drained', 'closed', 'reset', 'error'];
const PROCESS_WORDS = ['stdout', 'drained', 'error', 'exit'];
const SERVER_WORDS = ['accept', 'error'];

export interface Completion {
    readonly label: string;
    /** Where the replaced word starts in the line (0-based), and its length. */
    readonly start: number;
    readonly length: number;
}

/**
 * Completions for `text` with the caret at `column` (0-based): the first word (commands, sockets and instances), an
 * event after `send`, a guard after `guard`, a signal after `signal`, what can happen after a socket's name.
 * `instances`: the instances running now (`EchoSession#1`); `underTest`: the machine plain steps are for.
 */
export function completeConsoleLine(program: ProgramSpec, underTest: string, instances: readonly string[], text: string, column: number): Completion[] {
    const before = text.slice(0, column);
    const wordStart = before.search(/[^\s]*$/);
    const word = before.slice(wordStart);
    const words = before.slice(0, wordStart).trim().split(/\s+/).filter((part) => part !== '');
    const machineOf = (instance: string) => program.machines.get(machineOfInstance(instance));
    const fit = (labels: Iterable<string>): Completion[] =>
        [...new Set(labels)].filter((label) => label.startsWith(word)).sort().map((label) => ({ label, start: wordStart, length: word.length }));
    const testMachine = program.machines.get(underTest);
    if (words.length === 0) {
        const dotted = /^([_a-zA-Z][_a-zA-Z0-9]*#[0-9]+)\.$/.exec(word.slice(0, word.lastIndexOf('.') + 1));
        if (dotted) {
            const sockets = machineOf(dotted[1]!)?.sockets.map((socket) => `${dotted[1]}.${socket.name}`) ?? [];
            return fit(sockets);
        }
        const sockets = testMachine?.sockets.map((socket) => socket.name) ?? [];
        return fit(['send', 'advance', 'signal', 'guard', 'help', ...sockets, ...instances.map((instance) => `${instance}`)]);
    }
    const [first, second] = words;
    if (first === 'send' && words.length === 1) {
        return fit(testMachine?.events ?? []);
    }
    if (second === 'send' && words.length === 2) {
        return fit(machineOf(first!)?.events ?? []);
    }
    if (words.length === 1 && instances.includes(first!)) {
        return fit(['send']);
    }
    if (first === 'guard' && words.length === 1) {
        const guards = new Set<string>();
        for (const machine of program.machines.values()) {
            guardsOf(machine.states, guards);
        }
        return fit(guards);
    }
    if (first === 'guard' && words.length >= 2) {
        return fit(['true', 'false']);
    }
    if (first === 'signal' && words.length === 1) {
        return fit([...program.machines.values()].flatMap((machine) => machine.signals.map((signal) => signal.signal)));
    }
    if (first === 'advance' && words.length === 1) {
        return fit(['100ms', '1s', '2s', '5s', '30s', '1m']);
    }
    if (words.length === 1) {
        const [instance, socketName] = first!.includes('.') ? first!.split('.') : [underTest, first!];
        const socket = machineOf(instance!)?.sockets.find((candidate) => candidate.name === socketName);
        if (socket) {
            return fit(socket.kind === 'server' ? SERVER_WORDS : socket.kind === 'process' ? PROCESS_WORDS : STREAM_WORDS);
        }
    }
    return [];
}

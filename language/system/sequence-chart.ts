// A finding's trace as a Mermaid sequenceDiagram (a message sequence chart): the machines, the environment (if it acts),
// what travels between them, timers and state changes, and the finding at the end.
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import type { Finding } from './findings.js';
import type { Replay, ReplayedStep } from './replay.js';

/** The environment's participant: an id and a place of its own, apart from the machines (a machine may be named `Environment`). */
const ENVIRONMENT_ID = 'env';
const ENVIRONMENT_LABEL = 'Environment';

/** Text Mermaid shows as is: `#` and `;` (which Mermaid reads) as entity codes, line breaks as spaces. */
function text(value: string): string {
    return value.replace(/[\r\n]+/g, ' ').replace(/[#;]/g, (char) => `#${char.charCodeAt(0)};`);
}

function shown(data: string): string {
    const json = JSON.stringify(data);
    return json.length > 40 ? `${json.slice(0, 37)}…"` : json;
}

class Chart {
    /** Machine and instance names and their participant ids (`p0`, `p1`, …, by declaration order): names as written never clash. */
    private readonly machines = new Map<string, string>();
    /** Whether the environment acts in the chart (it is declared only then). */
    private environmentUsed = false;
    /** Instances whose wired end the network reset: the RST their peer then gets is the network's, not theirs. */
    private readonly resetByNetwork = new Set<string>();
    readonly body: string[] = [];

    /** The participant id of a machine or instance, declared on first use. */
    machine(name: string): string {
        let id = this.machines.get(name);
        if (id === undefined) {
            id = `p${this.machines.size}`;
            this.machines.set(name, id);
        }
        return id;
    }

    /** The environment's participant id, declared from now on. */
    environment(): string {
        this.environmentUsed = true;
        return ENVIRONMENT_ID;
    }

    /** The declarations: the environment first if it acts, then the machines in the order they were declared. */
    header(): string[] {
        return [
            ...(this.environmentUsed ? [`    participant ${ENVIRONMENT_ID} as ${text(ENVIRONMENT_LABEL)}`] : []),
            ...[...this.machines].map(([name, id]) => `    participant ${id} as ${text(name)}`)
        ];
    }

    arrow(from: string, arrow: string, to: string, label: string): void {
        this.body.push(`    ${from}${arrow}${to}: ${text(label)}`);
    }

    note(over: string, label: string): void {
        this.body.push(`    Note over ${this.machine(over)}: ${text(label)}`);
    }

    /** A note across every machine's lifeline (the first to the last machine; the environment only if there is none). */
    noteAcross(label: string): void {
        const ids = [...this.machines.values()];
        const first = ids[0] ?? this.environment();
        const last = ids[ids.length - 1] ?? first;
        this.body.push(`    Note over ${first}${first === last ? '' : `,${last}`}: ${text(label)}`);
    }

    /** What the machines did in a step: transitions, ignored events, finishes. */
    trace(lines: readonly TraceLine[]): void {
        for (const line of lines) {
            if (line.kind === 'transition') {
                this.note(line.machine, `${line.from} → ${line.to} (${line.event})`);
            } else if (line.kind === 'unhandled') {
                this.note(line.machine, `${line.event} ignored in ${line.state}`);
            } else if (line.kind === 'finish') {
                this.note(line.machine, `finished in ${line.state}`);
            } else if (line.kind === 'io' && (line.what === 'error' || line.what === 'idle' || line.what === 'heartbeat-lost' || line.what === 'timeout')) {
                this.note(line.machine, `${line.socket}: ${line.what}${line.code ? ` ${line.code}` : ''}`);
            } else if (line.kind === 'start' && line.machine.includes('#')) {
                this.note(line.machine, `starts in ${line.state}`);
            }
        }
    }

    step(step: ReplayedStep): void {
        const move = step.move;
        switch (move.kind) {
            case 'deliver': {
                const { item, from, to } = step.delivered!;
                if (item.kind === 'rst' && this.resetByNetwork.has(from)) {
                    this.arrow(this.environment(), '-x', this.machine(to), 'RST (the network resets the connection)');
                    break;
                }
                this.arrow(this.machine(from), item.kind === 'data' ? '->>' : item.kind === 'fin' ? '-)' : '-x', this.machine(to), item.kind === 'data' ? shown(item.bytes.toString('utf8')) : item.kind === 'fin' ? 'FIN (close)' : 'RST (reset)');
                break;
            }
            case 'accept':
                this.arrow(this.machine(move.client), '->>', this.machine(move.server), `connect (${move.socket} → ${move.listener})`);
                this.arrow(this.machine(move.server), '-->>', this.machine(move.client), `accepted: ${step.session ?? 'session'}`);
                break;
            case 'connect-fault':
                if (move.fault === 'refused') {
                    this.arrow(this.environment(), '-x', this.machine(move.instance), `${move.socket}: connect refused`);
                } else {
                    this.note(move.instance, `${move.socket}: connect timed out`);
                }
                break;
            case 'env': {
                if (move.what === 'drained' || move.what === 'listen-error' || move.what === 'spawn-error' || move.what === 'listen-clash') {
                    // The socket's own write buffer emptied, its listen failed, or its process could not start: nothing travels.
                    const what = {
                        drained: 'write buffer drained',
                        'listen-error': 'cannot listen (EADDRINUSE)',
                        'listen-clash': 'cannot listen: address taken by another server (EADDRINUSE)',
                        'spawn-error': 'cannot start (ENOENT)'
                    }[move.what];
                    this.note(move.instance, `${move.socket}: ${what}`);
                    break;
                }
                const label = { connected: `${move.socket}: connected`, data: `${move.socket}: data`, closed: `${move.socket}: FIN (close)`, reset: `${move.socket}: RST (reset)`, 'network-reset': `${move.socket}: RST (the network resets the connection)`, accept: `connect to ${move.socket}`, exit: `${move.socket}: exit 0` }[move.what];
                this.arrow(this.environment(), move.what === 'closed' ? '-)' : move.what === 'reset' || move.what === 'network-reset' ? '-x' : '->>', this.machine(move.instance), label);
                if (move.what === 'network-reset') {
                    this.resetByNetwork.add(move.instance);
                }
                break;
            }
            case 'signal':
                for (const instance of step.signalled ?? []) {
                    this.arrow(this.environment(), '->>', this.machine(instance), move.signal);
                }
                break;
            case 'send':
                this.arrow(this.environment(), '->>', this.machine(move.instance), `send ${move.event}`);
                break;
            case 'advance':
                this.noteAcross(`${move.ms} ms later`);
                break;
        }
        this.trace(step.trace);
    }
}

/** The Mermaid text of a finding's trace, replayed. */
export function sequenceChart(finding: Finding, replay: Replay, machines: readonly string[]): string {
    const chart = new Chart();
    for (const name of machines) {
        chart.machine(name);
    }
    chart.trace(replay.start);
    for (const step of replay.steps) {
        chart.step(step);
    }
    chart.note(finding.subject, `${finding.code}: ${finding.message}`);
    return ['sequenceDiagram', ...chart.header(), ...chart.body, ''].join('\n');
}

// A finding's trace as a Mermaid sequenceDiagram (a message sequence chart): the machines, the environment, what
// travels between them, timers and state changes, and the finding at the end.
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import type { Finding } from './findings.js';
import type { Replay, ReplayedStep } from './replay.js';

const ENVIRONMENT = 'Environment';

/** Text Mermaid shows as is: `#` and `;` (which Mermaid reads) as entity codes, line breaks as spaces. */
function text(value: string): string {
    return value.replace(/[\r\n]+/g, ' ').replace(/[#;]/g, (char) => `#${char.charCodeAt(0)};`);
}

function idOf(name: string): string {
    return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function shown(data: string): string {
    const json = JSON.stringify(data);
    return json.length > 40 ? `${json.slice(0, 37)}…"` : json;
}

class Chart {
    readonly participants: string[] = [];
    readonly body: string[] = [];

    participant(name: string): string {
        if (!this.participants.includes(name)) {
            this.participants.push(name);
        }
        return idOf(name);
    }

    arrow(from: string, arrow: string, to: string, label: string): void {
        this.body.push(`    ${this.participant(from)}${arrow}${this.participant(to)}: ${text(label)}`);
    }

    note(over: string, label: string): void {
        this.body.push(`    Note over ${this.participant(over)}: ${text(label)}`);
    }

    noteAcross(label: string): void {
        const machines = this.participants.filter((name) => name !== ENVIRONMENT);
        const first = machines[0] ?? ENVIRONMENT;
        const last = machines[machines.length - 1] ?? first;
        this.body.push(`    Note over ${idOf(first)}${first === last ? '' : `,${idOf(last)}`}: ${text(label)}`);
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
                this.arrow(from, item.kind === 'data' ? '->>' : item.kind === 'fin' ? '-)' : '-x', to, item.kind === 'data' ? shown(item.bytes.toString('utf8')) : item.kind === 'fin' ? 'FIN (close)' : 'RST (reset)');
                break;
            }
            case 'accept':
                this.arrow(move.client, '->>', move.server, `connect (${move.socket} → ${move.listener})`);
                this.arrow(move.server, '-->>', move.client, `accepted: ${step.session ?? 'session'}`);
                break;
            case 'connect-fault':
                if (move.fault === 'refused') {
                    this.arrow(ENVIRONMENT, '-x', move.instance, `${move.socket}: connect refused`);
                } else {
                    this.note(move.instance, `${move.socket}: connect timed out`);
                }
                break;
            case 'env': {
                const label = { connected: `${move.socket}: connected`, data: `${move.socket}: data`, closed: `${move.socket}: FIN (close)`, reset: `${move.socket}: RST (reset)`, accept: `connect to ${move.socket}`, exit: `${move.socket}: exit 0` }[move.what];
                this.arrow(ENVIRONMENT, move.what === 'closed' ? '-)' : move.what === 'reset' ? '-x' : '->>', move.instance, label);
                break;
            }
            case 'signal':
                for (const instance of step.signalled ?? []) {
                    this.arrow(ENVIRONMENT, '->>', instance, move.signal);
                }
                break;
            case 'send':
                this.arrow(ENVIRONMENT, '->>', move.instance, `send ${move.event}`);
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
    chart.participant(ENVIRONMENT);
    for (const name of machines) {
        chart.participant(name);
    }
    chart.trace(replay.start);
    for (const step of replay.steps) {
        chart.step(step);
    }
    chart.note(finding.subject, `${finding.code}: ${finding.message}`);
    const header = chart.participants.map((name) => `    participant ${idOf(name)} as ${text(name)}`);
    return ['sequenceDiagram', ...header, ...chart.body, ''].join('\n');
}

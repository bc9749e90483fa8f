// The sequence chart of a finding's trace (Mermaid text): one participant per instance and one for the environment
// (first, and only if it acts), each with an id of its own and its name as label, every arrow and note between declared
// participants, and the steps of the trace in order.
import { describe, expect, it } from 'vitest';
import { checkSystem, type SystemFinding } from '../../language/system/check-system.js';
import { sessionServer, waitingClient } from './inline-models.js';
import { CODES, inlineFiles, withFixture, withSystem } from './system-helpers.js';

interface ParsedChart {
    /** Declared participants: id and label (entities decoded), in order. */
    readonly participants: ReadonlyArray<{ id: string; label: string }>;
    /** Ids used by arrows and notes. */
    readonly used: readonly string[];
    readonly arrows: ReadonlyArray<{ from: string; to: string; label: string }>;
    readonly notes: ReadonlyArray<{ over: string[]; label: string }>;
}

/** The environment's participant id: reserved, no machine's (a machine may be named `Environment`). */
const ENV = 'env';

const decode = (text: string): string => text.replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

function parseChart(chart: string): ParsedChart {
    const lines = chart.split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.at(-1)).toBe('');
    const participants: Array<{ id: string; label: string }> = [];
    const arrows: Array<{ from: string; to: string; label: string }> = [];
    const notes: Array<{ over: string[]; label: string }> = [];
    for (const line of lines.slice(1, -1)) {
        const participant = /^ {4}participant (\S+) as (.+)$/.exec(line);
        const arrow = /^ {4}([A-Za-z0-9_]+)(->>|-->>|-\)|-x)([A-Za-z0-9_]+): (.*)$/.exec(line);
        const note = /^ {4}Note over ([A-Za-z0-9_]+(?:,[A-Za-z0-9_]+)?): (.*)$/.exec(line);
        if (participant) {
            participants.push({ id: participant[1]!, label: decode(participant[2]!) });
        } else if (arrow) {
            arrows.push({ from: arrow[1]!, to: arrow[3]!, label: decode(arrow[4]!) });
        } else if (note) {
            notes.push({ over: note[1]!.split(','), label: decode(note[2]!) });
        } else {
            expect.fail(`a line of a sequence chart: ${JSON.stringify(line)}`);
        }
    }
    return { participants, arrows, notes, used: [...arrows.flatMap((arrow) => [arrow.from, arrow.to]), ...notes.flatMap((note) => note.over)] };
}

/**
 * What every chart must be: distinct participants, all used ids declared, the environment declared (first) exactly when
 * it acts, the trace's moves and the finding shown.
 */
function expectWellFormed(finding: SystemFinding): ParsedChart {
    const chart = parseChart(finding.chart);
    const ids = chart.participants.map((participant) => participant.id);
    const machines = chart.participants.filter((participant) => participant.id !== ENV);
    const labels = machines.map((participant) => participant.label);
    expect(new Set(ids).size, `distinct ids: ${ids.join(' ')}`).toBe(ids.length);
    expect(new Set(labels).size, `distinct labels: ${labels.join(' ')}`).toBe(labels.length);
    for (const id of chart.used) {
        expect(ids, finding.chart).toContain(id);
    }
    // The environment: declared first, as `Environment`, if and only if an arrow comes from it; never a target or noted.
    const acts = chart.arrows.some((arrow) => arrow.from === ENV);
    expect(ids.includes(ENV), finding.chart).toBe(acts);
    if (acts) {
        expect(chart.participants[0]).toEqual({ id: ENV, label: 'Environment' });
    }
    expect(chart.arrows.filter((arrow) => arrow.to === ENV), finding.chart).toEqual([]);
    expect(chart.notes.filter((note) => note.over.includes(ENV)), finding.chart).toEqual([]);
    // Every instance at the end of the trace is a participant, under its own name.
    for (const machine of finding.machines) {
        expect(labels).toContain(machine.split(': ')[0]);
    }
    // The finding is the last note, over its subject.
    const last = chart.notes.at(-1)!;
    expect(last.label).toBe(`${finding.code}: ${finding.message}`);
    expect(last.over.map((id) => machines.find((participant) => participant.id === id)!.label)).toEqual([finding.subject]);
    return chart;
}

describe('sequence charts of findings', () => {
    for (const code of CODES) {
        it(`${code}: the chart of each finding is well formed and shows its trace`, async () => {
            await withFixture(code, 'bug', ({ program }) => {
                for (const sessions of [1, 2, 3]) {
                    for (const finding of checkSystem(program, { sessions }).findings) {
                        const chart = expectWellFormed(finding);
                        const label = (id: string): string => chart.participants.find((participant) => participant.id === id)!.label;
                        // One arrow or note per move at least; a wired accept is a connect arrow and its answer.
                        for (const step of finding.steps) {
                            const move = step.move;
                            if (move.kind === 'accept') {
                                expect(chart.arrows.some((arrow) => label(arrow.from) === move.client && label(arrow.to) === move.server && arrow.label.startsWith('connect'))).toBe(true);
                            } else if (move.kind === 'env' && ['drained', 'listen-error', 'listen-clash', 'spawn-error'].includes(move.what)) {
                                // Nothing travels: a note on the socket's machine.
                                expect(chart.notes.some((note) => note.label.startsWith(`${move.socket}: `))).toBe(true);
                            } else if (move.kind === 'env') {
                                expect(chart.arrows.some((arrow) => arrow.from === ENV && label(arrow.to) === move.instance)).toBe(true);
                            } else if (move.kind === 'signal') {
                                expect(chart.arrows.some((arrow) => arrow.from === ENV && arrow.label === move.signal)).toBe(true);
                            } else if (move.kind === 'advance') {
                                expect(chart.notes.some((note) => note.label === `${move.ms} ms later`)).toBe(true);
                            }
                        }
                    }
                }
            });
        });
    }

    // Ids were once names with other characters as `_`: `Job_1` (a machine) and `Job#1` (a session) both got `Job_1`,
    // and Mermaid drew them as one participant (the session's notes on the client's lifeline).
    it('a machine named like a session instance (Job_1 and Job#1) gets a participant of its own', async () => {
        await withSystem(inlineFiles({ 'hub.fsm': sessionServer('Hub', 'Job', '0.0.0.0:7991'), 'job-1.fsm': waitingClient('Job_1', 7991) }), ({ program }) => {
            const findings = checkSystem(program).findings;
            for (const finding of findings) {
                expectWellFormed(finding);
            }
            // The deadlock after the connect has both: Job_1 waiting, the session Job#1 open.
            const deadlock = findings.find((finding) => finding.code === 'system-deadlock')!;
            expect(deadlock.machines).toContain('Job#1: Open');
            const chart = parseChart(deadlock.chart);
            // Nothing comes from the environment here: only the machines, in order, then the session as it appears.
            expect(chart.participants.map((participant) => participant.label)).toEqual(['Hub', 'Job_1', 'Job#1']);
            const id = (label: string): string => chart.participants.find((participant) => participant.label === label)!.id;
            expect(chart.notes).toContainEqual({ over: [id('Job#1')], label: 'starts in Open' });
            expect(chart.notes).toContainEqual({ over: [id('Job_1')], label: 'Connecting → Waiting (Up)' });
        });
    });

    // The environment was once the participant `Environment`: a machine of that name was the same participant
    // (`Environment-xEnvironment: upstream: connect refused`).
    it('a machine named Environment is not the environment', async () => {
        await withSystem(inlineFiles({ 'environment.fsm': waitingClient('Environment', 7992) }), ({ program }) => {
            const findings = checkSystem(program).findings;
            expect(findings.length).toBeGreaterThan(0);
            for (const finding of findings) {
                const chart = expectWellFormed(finding);
                // The environment refuses the connect: it and the machine, two participants.
                expect(chart.participants).toHaveLength(2);
                const machine = chart.participants.find((participant) => participant.id !== ENV)!;
                expect(machine.label).toBe('Environment');
                expect(chart.arrows.some((arrow) => arrow.from === ENV && arrow.to === machine.id)).toBe(true);
            }
        });
    });

    it('a reset by the network comes from the environment, to both ends: the peer did not send it', async () => {
        await withFixture('orphan-session', 'fixed', ({ program }) => {
            const [finding] = checkSystem(program, { networkFaults: true }).findings;
            expect(finding?.scenario).toEqual(['JobServer.listener accept', 'JobClient.upstream connected', 'JobSession#1.peer reset', 'JobClient.upstream reset']);
            const chart = expectWellFormed(finding!);
            const id = (label: string): string => chart.participants.find((participant) => participant.label === label)!.id;
            const resets = chart.arrows.filter((arrow) => arrow.label.includes('RST'));
            expect(resets).toEqual([
                { from: ENV, to: id('JobSession#1'), label: 'peer: RST (the network resets the connection)' },
                { from: ENV, to: id('JobClient'), label: 'RST (the network resets the connection)' }
            ]);
        });
    });
});

// The examples' scenarios, run through the real `reactor-fsm simulate` as a user runs it.
//
// examples/scenarios/<example>.scenario tells a story for examples/<example>.fsm; more runs of the same example are
// named <example>.<run>.scenario. Each scenario has its expected text trace next to it (<same name>.trace). Plain steps
// are for the first top-level machine of the file; a scenario for a file with several says which one in a comment line
// of its own, `# machine: NAME` (passed on as --machine NAME).
//
// Every example has a scenario; every scenario exits 0, prints exactly its trace, prints the same trace as NDJSON
// (line by line the same kinds, machines, states, events and actions), and ends with its machines finished.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, EXAMPLES, ROOT, runCli, type CliResult } from '../cli/cli-helpers.js';

const SCENARIOS = path.join(EXAMPLES, 'scenarios');

interface Scenario {
    /** The file name without `.scenario`: `tcp-relay`, `http-probe.unhealthy`. */
    readonly name: string;
    /** The example it runs: `tcp-relay`. */
    readonly example: string;
    readonly file: string;
    readonly traceFile: string;
    /** From a `# machine: NAME` line, if any. */
    readonly machine: string | undefined;
}

const examples = readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.fsm'))
    .map((file) => file.slice(0, -'.fsm'.length))
    .sort();

const scenarios: Scenario[] = readdirSync(SCENARIOS)
    .filter((file) => file.endsWith('.scenario'))
    .sort()
    .map((file) => {
        const name = file.slice(0, -'.scenario'.length);
        const full = path.join(SCENARIOS, file);
        const machine = /^#\s*machine:\s*(\S+)\s*$/m.exec(readFileSync(full, 'utf8'))?.[1];
        return { name, example: name.split('.')[0]!, file: full, traceFile: path.join(SCENARIOS, `${name}.trace`), machine };
    });

/** One NDJSON trace line as `simulate --json` prints it. */
interface JsonLine {
    t: number;
    kind: string;
    machine: string;
    [field: string]: unknown;
}

interface Runs {
    text: CliResult;
    json: CliResult;
}

const runs = new Map<string, Promise<Runs>>();

function args(scenario: Scenario, json: boolean): string[] {
    return [
        'simulate',
        path.join('examples', `${scenario.example}.fsm`),
        '--script',
        path.relative(ROOT, scenario.file),
        ...(scenario.machine === undefined ? [] : ['--machine', scenario.machine]),
        ...(json ? ['--json'] : [])
    ];
}

/** Both runs of a scenario (text and --json), once, shared by its tests. */
function run(scenario: Scenario): Promise<Runs> {
    let found = runs.get(scenario.name);
    if (!found) {
        found = Promise.all([runCli(args(scenario, false), ROOT, { timeoutMs: 60_000 }), runCli(args(scenario, true), ROOT, { timeoutMs: 60_000 })]).then(([text, json]) => ({ text, json }));
        runs.set(scenario.name, found);
    }
    return found;
}

function linesOf(stdout: string): string[] {
    expect(stdout.endsWith('\n'), `the output ends with a newline: ${JSON.stringify(stdout.slice(-80))}`).toBe(true);
    return stdout.slice(0, -1).split('\n');
}

function parseJsonLines(stdout: string): JsonLine[] {
    return linesOf(stdout).map((line, index) => {
        let value: unknown;
        expect(() => {
            value = JSON.parse(line);
        }, `line ${index + 1} is JSON: ${line}`).not.toThrow();
        const object = value as JsonLine;
        expect(typeof object === 'object' && object !== null && !Array.isArray(object), `line ${index + 1} is an object: ${line}`).toBe(true);
        expect(Number.isInteger(object.t) && object.t >= 0, `line ${index + 1} has a time t: ${line}`).toBe(true);
        expect(typeof object.kind, `line ${index + 1} has a kind: ${line}`).toBe('string');
        expect(typeof object.machine, `line ${index + 1} has a machine: ${line}`).toBe('string');
        expect(object.machine, `line ${index + 1} names a machine or a session: ${line}`).toMatch(/^[_a-zA-Z][_a-zA-Z0-9]*(#[1-9][0-9]*)?$/);
        return object;
    });
}

/**
 * What a text trace line says, read from the text alone: its time, machine, kind and the kind's fields, in the
 * names the NDJSON uses. Undefined when the line has none of the known shapes.
 */
function readTextLine(line: string): Record<string, unknown> | undefined {
    const head = /^ *(\d+) ms {2}(\S+) {2}(.*)$/.exec(line);
    if (!head) {
        return undefined;
    }
    const [, t, machine, body] = head as unknown as [string, string, string, string];
    const base = { t: Number(t), machine };
    let m: RegExpExecArray | null;
    if ((m = /^starts in (\S+)$/.exec(body))) {
        return { ...base, kind: 'start', state: m[1] };
    }
    if ((m = /^finished in (\S+(?:, \S+)*)$/.exec(body))) {
        return { ...base, kind: 'finish', state: m[1] };
    }
    if ((m = /^(enters|leaves) (\S+)$/.exec(body))) {
        return { ...base, kind: m[1] === 'enters' ? 'enter' : 'exit', state: m[2] };
    }
    if ((m = /^(\S+) --(.+)--> (\S+)$/.exec(body))) {
        return { ...base, kind: 'transition', from: m[1], event: m[2], to: m[3] };
    }
    if ((m = /^(\S+): (\S+) \(internal\)$/.exec(body))) {
        return { ...base, kind: 'internal', state: m[1], event: m[2] };
    }
    if ((m = /^(\S+(?:, \S+)*): (\S+) ignored$/.exec(body))) {
        return { ...base, kind: 'unhandled', state: m[1], event: m[2] };
    }
    if ((m = /^ {2}(?:(entry|exit) |(\/) )?(\S.*)$/.exec(body))) {
        const phase = m[1] ?? (m[2] ? 'transition' : 'heartbeat');
        return { ...base, kind: 'action', name: m[3], phase };
    }
    if ((m = /^(\S+): (connect|drain|timeout|idle|heartbeat-lost|close|close \(after an error\)|data \((\d+) bytes\)|error (\S+)|accept (\S+)|exit (\d+))$/.exec(body))) {
        const what = m[2]!.split(' ')[0]!;
        const io: Record<string, unknown> = { ...base, kind: 'io', socket: m[1], what };
        if (what === 'data') {
            io.bytes = Number(m[3]);
        } else if (what === 'error') {
            io.code = m[4];
        } else if (what === 'close') {
            io.hadError = m[2] === 'close (after an error)';
        } else if (what === 'accept') {
            io.session = m[5];
        } else if (what === 'exit') {
            io.status = Number(m[6]);
        }
        return io;
    }
    return undefined;
}

/** The fields of an NDJSON line that its text line shows. */
function shownFields(line: JsonLine): Record<string, unknown> {
    const { t, kind, machine } = line;
    switch (kind) {
        case 'start':
        case 'finish':
        case 'enter':
        case 'exit':
            return { t, machine, kind, state: line.state };
        case 'transition':
            return { t, machine, kind, from: line.from, event: line.event, to: line.to };
        case 'internal':
        case 'unhandled':
            return { t, machine, kind, state: line.state, event: line.event };
        case 'action':
            return { t, machine, kind, name: line.name, phase: line.phase };
        case 'io': {
            const io: Record<string, unknown> = { t, machine, kind, socket: line.socket, what: line.what };
            if (line.what === 'data') {
                io.bytes = line.bytes;
            } else if (line.what === 'error') {
                io.code = line.code;
            } else if (line.what === 'close') {
                io.hadError = line.hadError === true;
            } else if (line.what === 'accept') {
                io.session = line.session;
            } else if (line.what === 'exit') {
                io.status = line.status;
            }
            return io;
        }
        default:
            return { t, machine, kind };
    }
}

const isSession = (machine: string): boolean => machine.includes('#');

beforeAll(() => {
    if (!existsSync(BUNDLE)) {
        throw new Error(`${BUNDLE} is missing: run \`npm run build\` (or \`node scripts/bundle.mjs\`) before the CLI tests`);
    }
});

describe('the examples have scenarios', () => {
    it('every example in examples/ has examples/scenarios/<example>.scenario', () => {
        expect(examples.length).toBeGreaterThan(0);
        const missing = examples.filter((example) => !scenarios.some((scenario) => scenario.name === example));
        expect(missing, 'examples without a scenario').toEqual([]);
    });

    it('every scenario belongs to an example and has its expected trace', () => {
        for (const scenario of scenarios) {
            expect(examples, `${scenario.name}.scenario names an example`).toContain(scenario.example);
            expect(existsSync(scenario.traceFile), `${path.relative(ROOT, scenario.traceFile)} exists`).toBe(true);
        }
        const traces = readdirSync(SCENARIOS).filter((file) => file.endsWith('.trace'));
        for (const trace of traces) {
            expect(
                scenarios.map((scenario) => scenario.name),
                `${trace} belongs to a scenario`
            ).toContain(trace.slice(0, -'.trace'.length));
        }
    });

    it('every scenario begins with a comment that says what it shows', () => {
        for (const scenario of scenarios) {
            expect(readFileSync(scenario.file, 'utf8'), scenario.name).toMatch(/^# \S/);
        }
    });
});

describe.each(scenarios.map((scenario) => [scenario.name, scenario] as const))('scenario %s', (_name, scenario) => {
    it('runs without error and prints exactly the committed trace', async () => {
        const { text } = await run(scenario);
        expect(text.timedOut).toBe(false);
        expect(text.stderr).toBe('');
        expect(text.code, text.stderr).toBe(0);
        expect(text.stdout).toBe(readFileSync(scenario.traceFile, 'utf8'));
    });

    it('prints the same number of lines with --json, each a JSON object with t, kind and machine', async () => {
        const { text, json } = await run(scenario);
        expect(json.stderr).toBe('');
        expect(json.code, json.stderr).toBe(0);
        expect(parseJsonLines(json.stdout)).toHaveLength(linesOf(text.stdout).length);
    });

    it('agrees line by line between text and JSON: time, machine, kind, states, events, actions, sockets', async () => {
        const { text, json } = await run(scenario);
        const textLines = linesOf(text.stdout);
        const jsonLines = parseJsonLines(json.stdout);
        textLines.forEach((line, index) => {
            const read = readTextLine(line);
            expect(read, `text line ${index + 1} has a known shape: ${line}`).toBeDefined();
            expect(read, `line ${index + 1}: ${line}\n   vs ${JSON.stringify(jsonLines[index])}`).toEqual(shownFields(jsonLines[index]!));
        });
    });

    it('ends with its top-level machines finished (and every session too), nothing after a finish', async () => {
        const { json } = await run(scenario);
        const lines = parseJsonLines(json.stdout);
        const started = lines.filter((line) => line.kind === 'start').map((line) => line.machine);
        const topLevel = started.filter((machine) => !isSession(machine));
        expect(topLevel.length, 'a top-level machine starts').toBeGreaterThan(0);
        if (topLevel.length > 1) {
            expect(scenario.machine, `${scenario.name}: the file has several top-level machines (${topLevel.join(', ')}): say which with '# machine: NAME'`).toBeDefined();
        }
        if (scenario.machine !== undefined) {
            expect(topLevel).toContain(scenario.machine);
        }
        for (const machine of started) {
            const finishes = lines.map((line, index) => (line.machine === machine && line.kind === 'finish' ? index : -1)).filter((index) => index >= 0);
            expect(finishes, `${machine} finishes exactly once`).toHaveLength(1);
            const after = lines.slice(finishes[0]! + 1).filter((line) => line.machine === machine);
            expect(after, `nothing of ${machine} after it finished`).toEqual([]);
        }
        expect(lines.at(-1)!.kind, 'the last line is a finish').toBe('finish');
        const topLevelFinishes = lines.map((line, index) => (line.kind === 'finish' && !isSession(line.machine) ? index : -1)).filter((index) => index >= 0);
        const tail = lines.slice(Math.max(...topLevelFinishes) + 1);
        expect(
            tail.filter((line) => !isSession(line.machine)),
            'after the last top-level machine finished, only its sessions wind down'
        ).toEqual([]);
    });
});

// `reactor-fsm explore FILES…`: the system check of the machines of several files together; findings with their
// shortest traces (text, or JSON), the number of global states explored and the time; traces as files with --out.
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ReactorFsmServices } from '../module.js';
import { checkSystem, DEFAULT_SESSIONS, scenarioFile, searchSummary, type SystemCheck, type SystemFinding } from '../system/check-system.js';
import type { ExploreOptions } from '../system/explore.js';
import { describeFileError } from '../file-errors.js';
import { ensureFolder, WriteRefusedError } from '../generator/write-files.js';
import { composedProgram, loadInputs } from './program-files.js';
import { InputError } from './source-files.js';
import { pluralGrouped as plural } from '../values/plural.js';

export interface ExploreCliOptions {
    json?: boolean;
    maxStates?: string;
    maxSeconds?: string;
    sessions?: string;
    seed?: string;
    randomWalk?: string;
    exactTime?: boolean;
    networkFaults?: boolean;
    out?: string;
}

/** A finding as `--json` prints it. */
export interface ReportedFinding {
    code: string;
    severity: 'error' | 'warning';
    file: string;
    line: number;
    column: number;
    message: string;
    trace: string[];
    machines: string[];
}

function count(text: string | undefined, option: string, least: number): number | undefined {
    if (text === undefined) {
        return undefined;
    }
    if (!/^[0-9]+$/.test(text) || Number(text) < least || !Number.isSafeInteger(Number(text))) {
        throw new InputError(`${option} takes a whole number of at least ${least}, not '${text}'`);
    }
    return Number(text);
}

export function exploreOptions(options: ExploreCliOptions): ExploreOptions {
    const maxSeconds = count(options.maxSeconds, '--max-seconds', 1);
    const seed = count(options.seed, '--seed', 0);
    const randomWalk = count(options.randomWalk, '--random-walk', 1);
    if (seed !== undefined && randomWalk === undefined) {
        throw new InputError('--seed is the random walk\'s: give --random-walk STEPS too (an exhaustive search takes no seed)');
    }
    return {
        maxStates: count(options.maxStates, '--max-states', 1),
        maxMs: maxSeconds === undefined ? undefined : maxSeconds * 1000,
        sessions: count(options.sessions, '--sessions', 1),
        seed,
        randomWalk,
        exactTime: options.exactTime === true,
        networkFaults: options.networkFaults === true,
        // The summary reports the heap per state (once there are enough states for it to mean something).
        measureMemory: true
    };
}

/** Below this many states, the heap measured per state is mostly noise: it is not reported. */
const MEMORY_MEANINGFUL = 10_000;

/** The summary line: states, moves, time (with the rate, and the memory per state once it means something). */
export function statsLine(check: SystemCheck, sessions: number): string {
    const stats = check.stats;
    const rate = stats.ms > 0 ? Math.round(stats.states / (stats.ms / 1000)) : stats.states;
    const memory = stats.states >= MEMORY_MEANINGFUL && stats.bytesPerState !== undefined ? `, about ${stats.bytesPerState} bytes per state` : '';
    return searchSummary(stats, sessions, [`${plural(rate, 'state')}/s${memory}`]);
}

/** A path for messages: relative to the working folder when inside it, else as it is. */
function shownPath(absolute: string): string {
    const relative = path.relative(process.cwd(), absolute);
    return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

function fileName(finding: SystemFinding, index: number): string {
    const base = finding.spot.file.replace(/\.fsm$/, '');
    return `${String(index + 1).padStart(2, '0')}-${finding.code}-${base}-${finding.spot.line}`;
}

/** Runs the check; returns 0, 1 when a finding is an error or a model has errors (2 for unusable input, thrown). */
export async function runExplore(services: ReactorFsmServices, inputs: readonly string[], options: ExploreCliOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
    const explore = exploreOptions(options);
    const { named, context } = await loadInputs(services, inputs, 'explore');
    const program = composedProgram(named, context, 'not exploring', err);
    if (program === undefined) {
        return 1;
    }
    if (program.topLevel.length === 0) {
        throw new InputError('the files have no top-level machine to run (every machine is a session of a server)');
    }
    const check = checkSystem(program, explore);
    const shown = new Map(named.map((loaded) => [loaded.source.absolute, loaded.source.shown]));
    const fileOf = (finding: SystemFinding): string => shown.get(finding.spot.path) ?? path.relative(process.cwd(), finding.spot.path);
    const files = named.map((loaded) => loaded.source.shown);
    const sessions = explore.sessions ?? DEFAULT_SESSIONS;
    if (check.stats.refused > 0) {
        err(`reactor-fsm: internal: the interpreter refused ${check.stats.refused} moves of the explorer (first: ${check.stats.firstRefusal}); please report this`);
    }
    if (options.out !== undefined) {
        const out = options.out;
        try {
            await ensureFolder(out, shownPath);
            for (const [index, finding] of check.findings.entries()) {
                const name = path.join(out, fileName(finding, index));
                await writeFile(`${name}.scenario`, scenarioFile(finding, files, explore));
                await writeFile(`${name}.mmd`, finding.chart);
            }
        } catch (error) {
            throw new InputError(`cannot write the traces to '${out}': ${error instanceof WriteRefusedError ? error.message : describeFileError(error)}`);
        }
    }
    if (options.json) {
        const findings: ReportedFinding[] = check.findings.map((finding) => ({
            code: finding.code,
            severity: finding.severity,
            file: fileOf(finding),
            line: finding.spot.line,
            column: finding.spot.column ?? 1,
            message: finding.message,
            trace: [...finding.scenario],
            machines: [...finding.machines]
        }));
        const { states, transitions, ms, complete, bound, bytesPerState, mode, exactTime, networkFaults } = check.stats;
        const memory = states >= MEMORY_MEANINGFUL ? (bytesPerState ?? null) : null;
        out(JSON.stringify({ findings, states, transitions, ms: Math.round(ms), complete, bound: bound ?? null, bytesPerState: memory, mode, exactTime, networkFaults, sessions }, null, 2));
    } else {
        check.findings.forEach((finding, index) => {
            out(`${fileOf(finding)}:${finding.spot.line}:${finding.spot.column ?? 1} ${finding.severity} ${finding.code} ${finding.message}`);
            out(`  trace (${plural(finding.steps.length, 'move')}):`);
            finding.scenario.forEach((line) => out(`    ${line}`));
            out(`  at the end: ${finding.machines.join(', ')}`);
            if (options.out !== undefined) {
                out(`  written: ${path.join(options.out, fileName(finding, index))}.scenario and .mmd`);
            }
        });
        out(statsLine(check, sessions));
        const errors = check.findings.filter((finding) => finding.severity === 'error').length;
        out(`${plural(check.findings.length, 'finding')} (${plural(errors, 'error')}, ${plural(check.findings.length - errors, 'warning')})`);
    }
    return check.findings.some((finding) => finding.severity === 'error') ? 1 : 0;
}

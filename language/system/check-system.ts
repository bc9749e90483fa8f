// The system check as one call: explore, find, and for each finding its scenario (to replay) and sequence chart.
import type { ProgramSpec, SourceSpot } from '../semantics/program.js';
import { DEFAULT_SESSIONS, explore, type ExploreOptions, type ExploreStats } from './explore.js';
import { findingsOf, onePerPlace, type Finding } from './findings.js';
import { replayTrace } from './replay.js';
import { sequenceChart } from './sequence-chart.js';
import { instanceStepSpot, stepSpot } from './step-spots.js';
import { pluralGrouped as plural } from '../values/plural.js';

export interface SystemFinding extends Finding {
    /** The scenario that replays the trace (`reactor-fsm simulate FILES --script`), one step per line. */
    readonly scenario: readonly string[];
    /** The trace as a Mermaid sequenceDiagram. */
    readonly chart: string;
    /** Where each step of the trace is written (the transition it took, …; see step-spots.ts), when it can be told. */
    readonly stepSpots: ReadonlyArray<SourceSpot | undefined>;
}

export interface SystemCheck {
    readonly findings: readonly SystemFinding[];
    readonly stats: ExploreStats;
    /** The top-level machines and the sessions their servers run. */
    readonly machines: readonly string[];
}

export { DEFAULT_SESSIONS };

export function checkSystem(program: ProgramSpec, options: ExploreOptions = {}): SystemCheck {
    const exploration = explore(program, options);
    const machines = [...program.machines.keys()];
    const findings = findingsOf(exploration.graph, options.sessions ?? DEFAULT_SESSIONS).map((finding): SystemFinding => {
        const replay = replayTrace(exploration.context, finding.steps);
        const last = replay.steps.at(-1);
        // A machine stuck after a fault went wrong in the step the fault took: on the transition it took then (or in the
        // state that ignored the fault), where the fix goes, rather than in the state it is stuck in.
        const faultSpot = finding.code === 'stuck-after-fault' && last ? instanceStepSpot(program, last, finding.subject) : undefined;
        return {
            ...finding,
            spot: faultSpot ?? finding.spot,
            machines: replay.machines,
            scenario: finding.steps.flatMap((step) => step.lines),
            chart: sequenceChart(finding, replay, program.topLevel),
            stepSpots: replay.steps.map((step) => stepSpot(program, step))
        };
    });
    return { findings: onePerPlace(findings), stats: exploration.stats, machines };
}

/** The options of a search that change what it finds. */
type SearchFlags = Pick<ExploreOptions, 'sessions' | 'exactTime' | 'networkFaults'>;

/** Those options as `explore`'s command line shows them (defaults left out). */
function exploreFlags(options: SearchFlags): string[] {
    return [
        ...(options.sessions !== undefined && options.sessions !== DEFAULT_SESSIONS ? ['--sessions', String(options.sessions)] : []),
        ...(options.exactTime === true ? ['--exact-time'] : []),
        ...(options.networkFaults === true ? ['--network-faults'] : [])
    ];
}

/** A finding's scenario file: where it comes from (the search's options among it), how to replay it, then its steps. */
export function scenarioFile(finding: SystemFinding, files: readonly string[], options: SearchFlags = {}): string {
    return [
        `# ${finding.code} at ${finding.spot.file}:${finding.spot.line}: ${finding.message}`,
        `# found by: reactor-fsm explore ${[...files, ...exploreFlags(options)].join(' ')}`,
        `# replay:   reactor-fsm simulate ${files.join(' ')} --script THIS_FILE`,
        ...finding.scenario,
        `# at the end: ${finding.machines.join(', ')}`,
        ''
    ].join('\n');
}

/**
 * The search in one line: `explored N global states and M moves in S s (…; K sessions per server; every reachable
 * state)`; `details` (the rate, memory) go first in the parentheses.
 */
export function searchSummary(stats: ExploreStats, sessions: number, details: readonly string[] = []): string {
    const how = stats.complete ? 'every reachable state' : `not complete: ${stats.bound ?? 'stopped early'}`;
    const inside = [...details, `${plural(sessions, 'session')} per server`, ...(stats.exactTime ? ['exact timer times'] : []), ...(stats.networkFaults ? ['network faults'] : []), how].join('; ');
    return `explored ${plural(stats.states, 'global state')} and ${plural(stats.transitions, 'move')} in ${(stats.ms / 1000).toFixed(2)} s (${inside})`;
}

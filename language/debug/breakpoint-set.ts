// The breakpoints of a debug session: what VS Code set, checked against the model's breakable lines, with their
// conditions; which of them stop at a point of a run, and (attached) the states each machine pauses in.
import { Breakpoint } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SourceSpot } from '../semantics/program.js';
import { NOT_BREAKABLE, type BreakableLines } from './breakpoints.js';
import { parseCondition, type Condition } from './condition.js';
import type { Point } from './debug-run.js';

interface ActiveBreakpoint {
    readonly id: number;
    readonly spot: SourceSpot;
    readonly condition: Condition | undefined;
}

const CONDITION_PLACE = 'a condition tests the payload of the event being processed: put it on a state line or an on/after line (on a signal or socket line the event is not delivered yet)';
const ATTACHED_LINES = 'attached to a running program, the debugger stops on state lines only (the program pauses that instance after it enters the state)';
const ATTACHED_CONDITION = 'attached to a running program, a breakpoint cannot have a condition (the program pauses every instance that enters the state)';

export class BreakpointSet {
    private readonly byFile = new Map<string, ActiveBreakpoint[]>();
    private nextId = 1;

    constructor(
        private readonly lines: BreakableLines,
        /** Attached to a running program: only state lines, no conditions. */
        private readonly attached: boolean
    ) {}

    /** Replaces the breakpoints of `file` with `requested`; the answers say which are verified, and why not. */
    set(file: string, requested: readonly DebugProtocol.SourceBreakpoint[]): DebugProtocol.Breakpoint[] {
        const active: ActiveBreakpoint[] = [];
        const answers = requested.map((wanted) => {
            const answer: DebugProtocol.Breakpoint = new Breakpoint(false, wanted.line);
            const targets = this.lines.at(file, wanted.line);
            const conditionText = wanted.condition?.trim() ?? '';
            const problem =
                targets.length === 0
                    ? NOT_BREAKABLE
                    : this.attached && !targets.some((target) => target.kind === 'state')
                      ? ATTACHED_LINES
                      : conditionText !== '' && this.attached
                        ? ATTACHED_CONDITION
                        : conditionText !== '' && !targets.some((target) => target.kind === 'state' || target.kind === 'transition')
                          ? CONDITION_PLACE
                          : undefined;
            if (problem !== undefined) {
                answer.message = problem;
                return answer;
            }
            let condition: Condition | undefined;
            if (conditionText !== '') {
                const parsed = parseCondition(conditionText);
                if (!parsed.ok) {
                    answer.message = parsed.message;
                    return answer;
                }
                condition = parsed.test;
            }
            const id = this.nextId++;
            active.push({ id, spot: targets[0]!.spot, condition });
            answer.verified = true;
            answer.id = id;
            answer.message = targets.map((target) => target.description).join('; ');
            return answer;
        });
        this.byFile.set(file, active);
        return answers;
    }

    /** The breakpoints that stop at `point` (their conditions hold for the payload at that point). */
    hits(point: Point): number[] {
        const hit: number[] = [];
        for (const spot of point.breakSpots) {
            for (const breakpoint of this.byFile.get(spot.path) ?? []) {
                if (breakpoint.spot.line !== spot.line) {
                    continue;
                }
                const payload = point.snapshot.instances.find((instance) => instance.name === point.instance)?.payload;
                if (!breakpoint.condition || breakpoint.condition(payload)) {
                    hit.push(breakpoint.id);
                }
            }
        }
        return hit;
    }

    /** Attached: the states with breakpoints, by machine (every instance of that machine pauses after entering one). */
    statesByMachine(): Map<string, string[]> {
        const states = new Map<string, string[]>();
        for (const [path, breakpoints] of this.byFile) {
            for (const breakpoint of breakpoints) {
                for (const target of this.lines.at(path, breakpoint.spot.line)) {
                    if (target.kind === 'state') {
                        states.set(target.machine, [...(states.get(target.machine) ?? []), target.name]);
                    }
                }
            }
        }
        return states;
    }
}

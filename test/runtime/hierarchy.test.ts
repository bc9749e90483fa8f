// The runtime's support for hierarchical machines (templates/runtime/hierarchy.ts and the hooks it uses in
// machine.ts), with small hand-written machines: timers owned by states, stale timer events, the active atomic
// states' name, SCXML's conflict rule across regions, and the enter/exit trace lines.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../templates/runtime/clock.js';
import { HierarchicalMachine, NONE, RegionMachine, type RegionTables } from '../../templates/runtime/hierarchy.js';
import { State, type MachineHost, type MachineObserver } from '../../templates/runtime/machine.js';
import { traceObserver } from '../../templates/runtime/trace.js';
import type { TraceLine } from '../../templates/runtime/trace-format.js';

class Named extends State {
    constructor(readonly name: string) {
        super();
    }
}

function host(observers: MachineObserver[] = []): MachineHost & { clock: ManualClock } {
    return { observers, clock: new ManualClock(), machineFinished: () => undefined, stop: () => undefined };
}

/** One composite (1) holding A (2) with a timer of the composite in slot 0 (event 7). */
class TimerMachine extends HierarchicalMachine {
    readonly type = 'T';
    readonly fired: string[] = [];
    protected readonly eventNames: readonly string[] = [];

    constructor(machineHost: MachineHost) {
        super(machineHost, new Named('A'), 3, 0, 1);
    }

    enterComposite(): void {
        this.active[0] = 1;
        this.armStateTimer(0, 100, 7);
    }

    leaveComposite(): void {
        this.clearStateTimer(0);
        this.active[0] = NONE;
    }

    protected process(event: number): void {
        const clock = this.host.clock as ManualClock;
        if (event === 7 && this.timerLive(0)) {
            this.fired.push(`timer at ${clock.now()}`);
        } else if (event === 5) {
            // The timer runs out during this step: its event waits in the queue while the composite is left and entered again.
            clock.advance(100);
            this.leaveComposite();
            this.enterComposite();
        }
    }
}

describe('HierarchicalMachine', () => {
    it('runs a state\'s timer while the state lasts, and drops it once the state is left', () => {
        const machineHost = host();
        const machine = new TimerMachine(machineHost);
        machine.start();
        machine.enterComposite();
        machineHost.clock.advance(100);
        expect(machine.fired).toEqual(['timer at 100']);

        machine.enterComposite();
        machineHost.clock.advance(50);
        machine.leaveComposite();
        machineHost.clock.advance(100);
        expect(machine.fired).toEqual(['timer at 100']);
    });

    it('drops a timer event that waited in the queue while its state was left and entered again', () => {
        const machineHost = host();
        const machine = new TimerMachine(machineHost);
        machine.start();
        machine.enterComposite();
        machine.dispatch(5);
        expect(machine.fired).toEqual([]);
        machineHost.clock.advance(100);
        expect(machine.fired).toEqual(['timer at 200']);
    });

    it('finds the atomic state active below a composite by following the active children', () => {
        const machine = new TimerMachine(host());
        machine.active[0] = 1;
        machine.active[1] = 2;
        expect(machine.activeLeaf(0, new Uint8Array([1, 1, 0]))).toBe(2);
        machine.active[1] = NONE;
        expect(machine.activeLeaf(0, new Uint8Array([1, 1, 0]))).toBe(NONE);
    });
});

/**
 * A parallel state P (1) with regions R1 (2: A 3, B 4) and R2 (5: C 6, D 7); region numbers 1 and 2. Transitions:
 * 0 A->B (domain R1), 1 C->D (domain R2), 2 P->P (declared on P, domain the machine), 3 C internal.
 */
class RegionsMachine extends RegionMachine {
    readonly type = 'R';
    readonly log: string[] = [];
    /** What each atomic state chooses on the event. */
    choices = new Map<number, number>();
    protected readonly eventNames: readonly string[] = ['E'];

    constructor() {
        super(host(), new Named('A'), 8, 0, 0, 3);
    }

    protected get tables(): RegionTables {
        return {
            names: ['R', 'P', 'R1', 'A', 'B', 'R2', 'C', 'D'],
            subtreeEnd: new Int32Array([7, 7, 4, 3, 4, 7, 6, 7]),
            source: new Int32Array([3, 6, 1, 6]),
            targeted: new Uint8Array([1, 1, 1, 0])
        };
    }

    protected domainOf(transition: number): number {
        return [2, 5, 0, 0][transition]!;
    }

    protected fire(transition: number): void {
        this.log.push(`fire ${transition}`);
    }

    protected exitFor(transition: number): void {
        this.log.push(`exit ${transition}`);
    }

    protected actFor(transition: number): void {
        this.log.push(`act ${transition}`);
    }

    protected enterFor(transition: number): void {
        this.log.push(`enter ${transition}`);
    }

    /** As a generated event function asks the regions: A or B in R1, then C or D in R2; a transition chosen already is not chosen again. */
    protected process(): void {
        for (const leaf of [3, 6]) {
            const transition = this.choices.get(leaf);
            if (transition !== undefined && !this.chose(transition)) {
                this.choice(transition);
            }
        }
        if (!this.fireChosen()) {
            this.log.push('unhandled');
        }
    }

    step(choices: Array<[number, number]>): string[] {
        this.choices = new Map(choices);
        this.log.length = 0;
        this.process();
        return [...this.log];
    }
}

describe('RegionMachine', () => {
    it('fires a lone transition whole, and reports no transition as unhandled', () => {
        const machine = new RegionsMachine();
        expect(machine.step([[3, 0]])).toEqual(['fire 0']);
        expect(machine.step([])).toEqual(['unhandled']);
    });

    it('takes one transition per region: all exits (last region first), every transition\'s actions, all entries', () => {
        expect(new RegionsMachine().step([[3, 0], [6, 1]])).toEqual(['exit 1', 'exit 0', 'act 0', 'act 1', 'enter 0', 'enter 1']);
    });

    it('counts a transition two regions reach once', () => {
        expect(new RegionsMachine().step([[3, 2], [6, 2]])).toEqual(['fire 2']);
    });

    it('keeps the transition whose source lies inside the other\'s when they leave a common state (SCXML\'s conflict rule)', () => {
        // Region 1 found P's transition first, region 2 its own: C lies inside P, so C's wins.
        expect(new RegionsMachine().step([[3, 2], [6, 1]])).toEqual(['exit 1', 'act 1', 'enter 1']);
    });

    it('keeps the earlier one when neither source lies inside the other', () => {
        // A's transition first, then P's: P is not inside A, so P's is preempted.
        expect(new RegionsMachine().step([[3, 0], [6, 2]])).toEqual(['exit 0', 'act 0', 'enter 0']);
    });

    it('never lets an internal transition conflict', () => {
        expect(new RegionsMachine().step([[3, 2], [6, 3]])).toEqual(['exit 2', 'act 2', 'act 3', 'enter 2']);
    });
});

describe('enter and exit observations', () => {
    it('become enter and exit trace lines, and actions name the state given', () => {
        const lines: TraceLine[] = [];
        const clock = new ManualClock();
        const machineHost: MachineHost = { observers: [traceObserver(clock, (line) => lines.push(line))], clock, machineFinished: () => undefined, stop: () => undefined };
        const machine = new TimerMachine(machineHost);
        machine.traceEnter('Outer');
        machine.traceActionIn('greet', 'entry', 'Outer');
        machine.traceExit('Outer');
        machine.traceTransition('Outer', 0, 'H');
        machine.traceInternalIn('Outer', 0);
        expect(lines.map(({ kind, ...rest }) => `${kind} ${JSON.stringify(rest)}`)).toEqual([
            'enter {"t":0,"machine":"T","state":"Outer"}',
            'action {"t":0,"machine":"T","name":"greet","state":"Outer","phase":"entry"}',
            'exit {"t":0,"machine":"T","state":"Outer"}',
            'transition {"t":0,"machine":"T","from":"Outer","event":"0","to":"H"}',
            'internal {"t":0,"machine":"T","state":"Outer","event":"0"}'
        ]);
    });
});

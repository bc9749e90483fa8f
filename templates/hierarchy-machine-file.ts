// Template: a machine with composite states. Atomic states are classes whose methods hold their own and their
// ancestors' transitions; every transition is a function with its exits and entries written out (QP's QMsm approach).
import { expandToNode, type Generated } from 'langium/generate';
import type { ActionPhase } from './runtime/trace-format.js';
import { blocks, commentText, docComment, eachLine, ExternalModule, file, onlyIf } from './code.js';
import { actionStatement, machineFileHead, machineMembers, memberCall, signalsAndOptions } from './machine-file.js';
import type { ActionCall, EventView, GuardCall, HierarchyView, MachineView, TreeBranchView, TreeNodeView, TreeStep, TreeTransitionView } from './view.js';

/**
 * What a hierarchical machine file imports from the runtime (see ExternalModule). NONE is declared in the file
 * instead (a module constant: through a CommonJS re-export every read would be a getter call), and kept here so no
 * state's constant takes its name.
 */
export const HIERARCHY_FILE_IMPORTS = {
    runtime: new ExternalModule('./runtime/index.js', ['HierarchicalMachine', 'NONE', 'RegionMachine', 'START_EVENT', 'State', 'type MachineHost', 'type RegionTables'])
};

function hierarchyOf(machine: MachineView): HierarchyView {
    if (!machine.hierarchy) {
        throw new Error(`internal: machine '${machine.name}' has no composite states`);
    }
    return machine.hierarchy;
}

/** Action calls as statements, each reported first (while observed) with the state it belongs to. */
function actionLines(machine: MachineView, calls: readonly ActionCall[], phase: ActionPhase, state: string): Generated {
    return eachLine(calls, (call) => expandToNode`
        m.tracing && m.traceActionIn(${JSON.stringify(call.label)}, ${JSON.stringify(phase)}, ${JSON.stringify(state)});
        ${actionStatement(machine, call)}
    `);
}

function guardExpression(guard: GuardCall): string {
    return `${guard.negated ? '!' : ''}${memberCall(guard.member, guard.payloadType)}`;
}

/** Entering one state: the machine's record of it, the trace, entry actions, its timers, then completion. */
function enterFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView): Generated {
    const parent = tree.nodes[node.parent]!;
    const completes = node.completes;
    return expandToNode`
        function enter${node.index}(m: ${machine.className}): void {
            ${parent.kind !== 'parallel' ? `m.active[${node.parent}] = ${node.index};` : undefined}
            ${node.leaf ? (tree.parallel ? `m.leaves[${node.leaf.region}] = ${node.index};` : `m.state = ${node.leaf.constName};`) : undefined}
            m.tracing && m.traceEnter(${JSON.stringify(node.name)});
            ${actionLines(machine, node.entry, 'entry', node.name)}
            ${eachLine(node.timers, (timer) => `m.armStateTimer(${timer.slot}, ${timer.ms}, ${timer.id});`)}
            ${node.final && node.parent === 0 ? 'void m.finish();' : undefined}
            ${completes?.parentDone !== undefined ? `m.dispatch(${completes.parentDone});` : undefined}
            ${onlyIf(completes?.parallelDone, (done) => expandToNode`
                if (${done.regions.map((region) => `FINAL[m.active[${region}]!] === 1`).join(' && ')}) {
                    m.dispatch(${done.id});
                }
            `)}
        }
    `;
}

/** Leaving one state: the trace, exit actions, its timers stop, and it is no longer its parent's active child. */
function leaveFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView): Generated {
    const parent = tree.nodes[node.parent]!;
    return expandToNode`
        function leave${node.index}(m: ${machine.className}): void {
            m.tracing && m.traceExit(${JSON.stringify(node.name)});
            ${actionLines(machine, node.exit, 'exit', node.name)}
            ${eachLine(node.timers, (timer) => `m.clearStateTimer(${timer.slot});`)}
            ${parent.kind !== 'parallel' ? `m.active[${node.parent}] = NONE;` : undefined}
            ${node.leaf && tree.parallel ? `m.leaves[${node.leaf.region}] = NONE;` : undefined}
        }
    `;
}

/** The call that leaves `node` with everything active inside it. */
function leaveAllCall(node: TreeNodeView): string {
    return node.kind === 'atomic' ? `leave${node.index}(m);` : `leaveAll${node.index}(m);`;
}

/** The children of a composite active now: one of a compound state or region (a switch), every region of a parallel state. */
function leaveChildren(tree: HierarchyView, node: TreeNodeView): Generated {
    if (node.kind === 'parallel') {
        return eachLine([...node.children].reverse(), (child) => leaveAllCall(tree.nodes[child]!));
    }
    return expandToNode`
        switch (m.active[${node.index}]) {
            ${eachLine(node.children, (child) => expandToNode`
                case ${child}:
                    ${leaveAllCall(tree.nodes[child]!)}
                    break;
            `)}
        }
    `;
}

/** Leaving a composite with what is active inside it, innermost first; its histories remember first. */
function leaveAllFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView): Generated {
    return expandToNode`
        function leaveAll${node.index}(m: ${machine.className}): void {
            ${eachLine(node.remembers, (remember) =>
                remember.what === 'child'
                    ? `m.remembered[${remember.history}] = m.active[${node.index}]!;`
                    : remember.what === 'regions'
                      ? `m.remembered[${remember.history}] = 1;`
                      : remember.what === 'snapshot'
                        ? `m.rememberAll(${remember.history});`
                        : `m.remembered[${remember.history}] = m.activeLeaf(${node.index}, HOLDS_ONE);`
            )}
            ${leaveChildren(tree, node)}
            leave${node.index}(m);
        }
    `;
}

/** Entering a composite again as a deep history's snapshot of `active` says: itself, then what was active inside it. */
function restoreFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView): Generated {
    const again = (child: number): string => (tree.nodes[child]!.kind === 'atomic' ? `enter${child}(m);` : `restore${child}(m, snapshot);`);
    return expandToNode`
        function restore${node.index}(m: ${machine.className}, snapshot: Int32Array): void {
            enter${node.index}(m);
            ${
                node.kind === 'parallel'
                    ? eachLine(node.children, again)
                    : expandToNode`
                        switch (snapshot[${node.index}]) {
                            ${eachLine(node.children, (child) => expandToNode`
                                case ${child}:
                                    ${again(child)}
                                    break;
                            `)}
                        }
                    `
            }
        }
    `;
}

/** Leaving what is active below a composite (a transition's domain; 0 is the machine). */
function leaveBelowFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView): Generated {
    return expandToNode`
        function leaveBelow${node.index}(m: ${machine.className}): void {
            ${leaveChildren(tree, node)}
        }
    `;
}

/** A step fixed at generation time, or a switch over what a history remembers. */
function byHistory<T>(stepOf: TreeStep<T>, print: (value: T) => Generated): Generated {
    if (stepOf.kind === 'static') {
        return print(stepOf.value);
    }
    return expandToNode`
        switch (m.remembered[${stepOf.history}]) {
            ${eachLine(stepOf.cases, (each) => expandToNode`
                ${each.remembered < 0 ? 'default' : `case ${each.remembered}`}: {
                    ${print(each.value)}
                    break;
                }
            `)}
        }
    `;
}

function exitPart(transition: TreeTransitionView): Generated {
    return transition.exitBelow ? byHistory(transition.exitBelow, (domain) => `leaveBelow${domain}(m);`) : undefined;
}

function actionPart(machine: MachineView, transition: TreeTransitionView): Generated {
    if (transition.target === undefined) {
        return expandToNode`
            m.tracing && m.traceInternalIn(${JSON.stringify(transition.source)}, ${transition.eventExpression});
            ${actionLines(machine, transition.actions, 'transition', transition.source)}
        `;
    }
    return expandToNode`
        ${actionLines(machine, transition.actions, 'transition', transition.source)}
        m.tracing && m.traceTransition(${JSON.stringify(transition.source)}, ${transition.eventExpression}, ${JSON.stringify(transition.target)});
    `;
}

function entryPart(transition: TreeTransitionView): Generated {
    return transition.enters
        ? byHistory(transition.enters, (steps) => eachLine(steps, (each) => (typeof each === 'number' ? `enter${each}(m);` : `restore${each.restore}(m, m.snapshot(${each.history}));`)))
        : undefined;
}

/** A whole microstep of one transition: exits, its actions, entries. */
/**
 * A whole microstep of one transition: exits, its actions, entries. A transition with a target also gets `take`, what
 * follows its exits: atomic states that know their exits statically call it after their own leave calls.
 */
function transitionFunction(machine: MachineView, transition: TreeTransitionView): Generated {
    if (transition.exitBelow === undefined) {
        return expandToNode`
            // ${commentText(transition.comment)}
            function transition${transition.index}(m: ${machine.className}): void {
                ${actionPart(machine, transition)}
            }
        `;
    }
    return expandToNode`
        // ${commentText(transition.comment)}
        function transition${transition.index}(m: ${machine.className}): void {
            ${exitPart(transition)}
            take${transition.index}(m);
        }

        function take${transition.index}(m: ${machine.className}): void {
            ${actionPart(machine, transition)}
            ${entryPart(transition)}
        }
    `;
}

/**
 * A transition taken from atomic state `leaf`: its exits written out (leaf first, then each ancestor up to the
 * domain) when they are known at generation time — no parallel state or history on the way — else its function.
 */
function fireFrom(tree: HierarchyView, leaf: number, index: number): string {
    const transition = tree.transitions[index]!;
    const exit = transition.exitBelow;
    if (exit?.kind !== 'static') {
        return `transition${index}(m);`;
    }
    const leaves: string[] = [];
    for (let node = tree.nodes[leaf]!; node.index !== exit.value; node = tree.nodes[node.parent]!) {
        if (node.kind === 'parallel' || node.remembers.length > 0 || node.index === 0) {
            return `transition${index}(m);`;
        }
        leaves.push(`leave${node.index}(m);`);
    }
    return [...leaves, `take${index}(m);`].join(' ');
}

/** An atomic state: per event, the transitions it and its ancestors may take, tried in order. */
function leafClass(machine: MachineView, tree: HierarchyView, node: TreeNodeView): Generated {
    const leaf = node.leaf!;
    const handlers = tree.handlers.get(node.index) ?? [];
    const m = machine.className;
    if (tree.parallel) {
        // With regions, `process` and `choose` switch over the active atomic states' numbers: the class only names the state.
        return expandToNode`
            ${docComment(`State ${node.name}${node.final ? ' (final)' : ''}.`)}
            class ${leaf.className} extends ${machine.stateBase} {
                readonly name = ${JSON.stringify(node.name)};
                ${node.final ? 'override readonly final = true;' : undefined}
            }
        `;
    }
    return expandToNode`
        ${docComment(`State ${node.name}${node.final ? ' (final)' : ''}.`)}
        class ${leaf.className} extends ${machine.stateBase} {
            readonly name = ${JSON.stringify(node.name)};
            ${node.final ? 'override readonly final = true;' : undefined}
            ${eachLine(handlers, (handler) => expandToNode`

                override ${handler.event.method}(m: ${m}): void {
                    ${eachLine(handler.branches, (branch) =>
                        branch.guard
                            ? expandToNode`
                                // ${commentText(branch.comment)}
                                if (${guardExpression(branch.guard)}) {
                                    ${fireFrom(tree, node.index, branch.transition)}
                                    return;
                                }
                            `
                            : expandToNode`
                                // ${commentText(branch.comment)}
                                ${fireFrom(tree, node.index, branch.transition)}
                            `
                    )}
                    ${handler.exhaustive ? undefined : `m.unhandled(${machine.eventsConst}.${handler.event.key});`}
                }
            `)}
        }
    `;
}

/** `process`: model events to the active states, the start, timers of states still active, completion of states still active. */
/** The atomic states that take `event` (their own transitions or an ancestor's), with their branches. */
function takers(tree: HierarchyView, event: EventView): Array<{ node: TreeNodeView; branches: TreeBranchView[]; exhaustive: boolean }> {
    return tree.nodes.flatMap((node) => {
        const handler = tree.handlers.get(node.index)?.find((each) => each.event === event);
        return handler ? [{ node, branches: handler.branches, exhaustive: handler.exhaustive }] : [];
    });
}

/** The branches of one atomic state as statements: the first whose guard holds fires; `after` ends the case. */
function branchLines(branches: readonly TreeBranchView[], exhaustive: boolean, fire: (transition: number) => Generated, after: string, askedBefore = false): Generated {
    return expandToNode`
        ${eachLine(branches, (branch) =>
            branch.guard
                ? expandToNode`
                    // ${commentText(branch.comment)}
                    ${askedBefore && branch.shared ? expandToNode`if (m.chose(${branch.transition})) ${fire(branch.transition)}` : undefined}
                    if (${guardExpression(branch.guard)}) {
                        ${fire(branch.transition)}
                    }
                `
                : expandToNode`
                    // ${commentText(branch.comment)}
                    ${fire(branch.transition)}
                `
        )}
        ${exhaustive ? undefined : after}
    `;
}

/**
 * With regions, one event: when only one region's states take it (and no transition above a parallel state), a switch
 * over that region's active state fires the transition, as a hand-written switch would; otherwise `react` asks every region.
 */
function regionEventCase(machine: MachineView, tree: HierarchyView, event: EventView): Generated {
    const event_ = `${machine.eventsConst}.${event.key}`;
    const taking = takers(tree, event);
    const regions = new Set(taking.map(({ node }) => node.leaf!.region));
    if (taking.length === 0) {
        return expandToNode`
            case ${event_}:
                this.unhandled(event);
                return;
        `;
    }
    if (taking.some(({ branches }) => branches.some((branch) => branch.shared))) {
        return expandToNode`
            case ${event_}:
                if (!this.react(event)) {
                    this.unhandled(event);
                }
                return;
        `;
    }
    if (regions.size > 1) {
        // Each transition lies inside one region: every region's switch, in document order, may choose one.
        return expandToNode`
            case ${event_}:
                ${eachLine([...regions].sort((a, b) => a - b), (region) => expandToNode`
                    switch (this.leaves[${region}]) {
                        ${eachLine(
                            taking.filter(({ node }) => node.leaf!.region === region),
                            ({ node, branches, exhaustive }) => expandToNode`
                                case ${node.index}:
                                    ${branchLines(branches, exhaustive, (transition) => expandToNode`
                                        this.choice(${transition});
                                        break;
                                    `, 'break;')}
                            `
                        )}
                    }
                `)}
                if (!this.fireChosen()) {
                    this.unhandled(event);
                }
                return;
        `;
    }
    return expandToNode`
        case ${event_}:
            switch (this.leaves[${[...regions][0]}]) {
                ${eachLine(taking, ({ node, branches, exhaustive }) => expandToNode`
                    case ${node.index}:
                        ${branchLines(branches, exhaustive, (transition) => expandToNode`
                            ${fireFrom(tree, node.index, transition)}
                            return;
                        `, 'break;')}
                `)}
            }
            this.unhandled(event);
            return;
    `;
}

function processMethod(machine: MachineView, tree: HierarchyView): Generated {
    return expandToNode`
        protected process(event: number): void {
            const m = this;
            switch (event) {
                ${eachLine(machine.events, (event) =>
                    tree.parallel
                        ? regionEventCase(machine, tree, event)
                        : expandToNode`
                            case ${machine.eventsConst}.${event.key}:
                                this.state.${event.method}(this);
                                return;
                        `
                )}
                case START_EVENT:
                    this.begin();
                    return;
                ${eachLine(tree.timers, (timer) => expandToNode`
                    case ${timer.id}:
                        if (this.timerLive(${timer.slot})) {
                            transition${timer.transition}(m);
                        }
                        return;
                `)}
                ${eachLine(tree.completions, (done) => expandToNode`
                    case ${done.id}:
                        if (this.active[${done.parent}] === ${done.state}) {
                            ${eachLine(done.branches, (branch) =>
                                branch.guard
                                    ? expandToNode`
                                        if (${guardExpression(branch.guard)}) {
                                            transition${branch.transition}(m);
                                            return;
                                        }
                                    `
                                    : `transition${branch.transition}(m);`
                            )}
                        }
                        return;
                `)}
            }
        }
    `;
}

/** The start: sockets open, the start line, then the initial states entered outermost first. */
function beginMethod(tree: HierarchyView): Generated {
    return expandToNode`
        protected override begin(): void {
            const m = this;
            this.openSockets();
            this.traceTransition('', START_EVENT, ${JSON.stringify(tree.initialName)});
            ${eachLine(tree.startEnters, (node) => `enter${node}(m);`)}
        }
    `;
}

/** With regions: the tables SCXML's conflict rule reads, and each transition's exits, actions and entries by number. */
function regionMembers(machine: MachineView, tree: HierarchyView): Generated[] {
    const targeted = tree.transitions.filter((transition) => transition.exitBelow);
    const caseLines = (part: (transition: TreeTransitionView) => Generated, which: readonly TreeTransitionView[]): Generated =>
        eachLine(which, (transition) => expandToNode`
            case ${transition.index}: {
                ${part(transition)}
                return;
            }
        `);
    return [
        expandToNode`
            protected get tables(): RegionTables {
                return TABLES;
            }
        `,
        expandToNode`
            protected choose(leaf: number, event: number): number {
                const m = this;
                switch (event) {
                    ${eachLine(machine.events, (event) => {
                        const taking = takers(tree, event);
                        return onlyIf(taking.length > 0, () => expandToNode`
                            case ${machine.eventsConst}.${event.key}:
                                switch (leaf) {
                                    ${eachLine(taking, ({ node, branches, exhaustive }) => expandToNode`
                                        case ${node.index}:
                                            ${branchLines(
                                                branches,
                                                exhaustive,
                                                (transition) => `return ${transition};`,
                                                'return -1;',
                                                true
                                            )}
                                    `)}
                                }
                                return -1;
                        `);
                    })}
                }
                return -1;
            }
        `,
        expandToNode`
            protected fire(transition: number): void {
                const m = this;
                switch (transition) {
                    ${eachLine(tree.transitions, (transition) => expandToNode`
                        case ${transition.index}:
                            transition${transition.index}(m);
                            return;
                    `)}
                }
            }
        `,
        expandToNode`
            protected domainOf(transition: number): number {
                const m = this;
                switch (transition) {
                    ${eachLine(targeted, (transition) =>
                        transition.exitBelow!.kind === 'static'
                            ? `case ${transition.index}: return ${transition.exitBelow!.value};`
                            : expandToNode`
                                case ${transition.index}:
                                    switch (m.remembered[${transition.exitBelow!.history}]) {
                                        ${eachLine(transition.exitBelow!.cases, (each) => `${each.remembered < 0 ? 'default' : `case ${each.remembered}`}: return ${each.value};`)}
                                    }
                            `
                    )}
                }
                return 0;
            }
        `,
        expandToNode`
            protected exitFor(transition: number): void {
                const m = this;
                switch (transition) {
                    ${caseLines(exitPart, targeted)}
                }
            }
        `,
        expandToNode`
            protected actFor(transition: number): void {
                const m = this;
                switch (transition) {
                    ${caseLines((transition) => actionPart(machine, transition), tree.transitions)}
                }
            }
        `,
        expandToNode`
            protected enterFor(transition: number): void {
                const m = this;
                switch (transition) {
                    ${caseLines(entryPart, targeted)}
                }
            }
        `
    ];
}

/** The machine file of a machine with composite states. */
export function hierarchyMachineFile(machine: MachineView): string {
    const tree = hierarchyOf(machine);
    const m = machine.className;
    const nodes = tree.nodes.slice(1);
    const composites = nodes.filter((node) => node.kind !== 'atomic');
    const holders = [tree.nodes[0]!, ...nodes.filter((node) => node.kind === 'compound' || node.kind === 'region')];
    const leaves = nodes.filter((node) => node.leaf);
    const base = tree.parallel ? 'RegionMachine' : 'HierarchicalMachine';
    const stateBase = 'State';
    const sizes = `${tree.nodes.length}, ${tree.historyCount}, ${machine.timerCount}${tree.parallel ? `, ${tree.regionCount}` : ''}`;
    const initialLeaf = leaves.find((leaf) => tree.startEnters.includes(leaf.index)) ?? leaves[0]!;
    const process = processMethod(machine, tree);
    const unused = ['NONE', ...(tree.parallel ? ['HierarchicalMachine'] : ['RegionMachine', 'RegionTables'])];
    const runtimeImport = HIERARCHY_FILE_IMPORTS.runtime.importLine((name) => !unused.includes(name));
    return file(expandToNode`
        ${machineFileHead(machine, `Machine ${machine.name}: composite states, each transition's exits and entries written out.`, runtimeImport)}

        ${docComment(`A state of ${machine.name}: ${tree.parallel ? 'it chooses the transition an event enables from it (-1: none)' : 'one method per event; by default an event is ignored and reported as unhandled'}.`)}
        export abstract class ${machine.stateBase} extends ${stateBase} {
            ${tree.parallel ? undefined : blocks(machine.events, (event) => expandToNode`
                ${event.method}(m: ${m}): void {
                    m.unhandled(${machine.eventsConst}.${event.key});
                }
            `)}
        }
        ${eachLine(leaves, (leaf) => expandToNode`

            ${leafClass(machine, tree, leaf)}
        `)}

        ${eachLine(leaves, (leaf) => `const ${leaf.leaf!.constName} = new ${leaf.leaf!.className}();`)}

        /** No active child: the runtime's NONE, a constant of this module so that reading it costs nothing. */
        const NONE = -1;
        /** 1 for the states that are final, by number. */
        const FINAL = new Uint8Array([${tree.nodes.map((node) => (node.final ? 1 : 0)).join(', ')}]);
        /** 1 for the machine, compound states and regions (one active child), by number. */
        const HOLDS_ONE = new Uint8Array([${tree.nodes.map((node, index) => (index === 0 || node.kind === 'compound' || node.kind === 'region' ? 1 : 0)).join(', ')}]);
        ${onlyIf(tree.parallel, () => expandToNode`

            /** The tree's shape for SCXML's conflict rule: where each subtree ends, each transition's source, whether it has a target. */
            const TABLES: RegionTables = {
                names: [${tree.nodes.map((node) => JSON.stringify(node.name)).join(', ')}],
                subtreeEnd: new Int32Array([${subtreeEnds(tree).join(', ')}]),
                source: new Int32Array([${tree.transitions.map((transition) => transition.sourceIndex).join(', ')}]),
                targeted: new Uint8Array([${tree.transitions.map((transition) => (transition.exitBelow ? 1 : 0)).join(', ')}])
            };
        `)}

        ${blocks(nodes, (node) => enterFunction(machine, tree, node))}

        ${blocks(nodes, (node) => leaveFunction(machine, tree, node))}

        ${blocks(composites, (node) => leaveAllFunction(machine, tree, node))}

        ${blocks(holders, (node) => leaveBelowFunction(machine, tree, node))}
        ${onlyIf(tree.restorable.length > 0, () => expandToNode`

            ${blocks(tree.restorable.map((index) => tree.nodes[index]!), (node) => restoreFunction(machine, tree, node))}
        `)}

        ${blocks(tree.transitions, (transition) => transitionFunction(machine, transition))}
        ${signalsAndOptions(machine)}

        ${docComment(`Machine ${machine.name}: owns the active states and dispatches events to them (the runtime's ${base} does the rest).`)}
        export class ${m} extends ${base}<${machine.stateBase}, ${machine.eventIdType}> {
            ${blocks(machineMembers(machine, { superArguments: `${initialLeaf.leaf!.constName}, ${sizes}`, process, extra: [beginMethod(tree), ...(tree.parallel ? regionMembers(machine, tree) : [])] }), (member) => member)}
        }
    `);
}

/** The last number inside each node's subtree (the machine's: the last node). */
function subtreeEnds(tree: HierarchyView): number[] {
    const ends = tree.nodes.map((node) => node.index);
    for (let index = tree.nodes.length - 1; index > 0; index--) {
        const parent = tree.nodes[index]!.parent;
        ends[parent] = Math.max(ends[parent]!, ends[index]!);
    }
    return ends;
}

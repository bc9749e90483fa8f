// Template: a machine with composite states. Atomic states are classes whose methods hold their own and their
// ancestors' transitions; every transition is a function with its exits and entries written out (QP's QMsm approach).
import { expandToNode, toString, type Generated } from 'langium/generate';
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

/**
 * With parallel regions the active configuration lives in one field per region (`leaf<k>`, 0 the machine's own):
 * the innermost active state of that region that is atomic or parallel (a parallel state's regions have their own
 * fields). Which child of a composite is active follows from it, at generation time.
 */
class RegionLayout {
    /** The region field of each node: its nearest enclosing region's number (a region's own for a region), 0 for the machine. */
    readonly slot: number[];
    readonly end: number[];

    constructor(readonly tree: HierarchyView) {
        const regionNumber = new Map<number, number>();
        tree.nodes.filter((node) => node.kind === 'region').forEach((node, i) => regionNumber.set(node.index, i + 1));
        this.slot = tree.nodes.map((node) => {
            for (let at = node; at.index !== 0; at = tree.nodes[at.parent]!) {
                if (at.kind === 'region') {
                    return regionNumber.get(at.index)!;
                }
            }
            return 0;
        });
        this.end = subtreeEnds(tree);
    }

    /** Atomic and parallel states are what a region field holds. */
    held(node: TreeNodeView): boolean {
        return node.kind === 'atomic' || node.kind === 'parallel';
    }

    field(node: number): string {
        return `leaf${this.slot[node]!}`;
    }

    /** The values of `holder`'s region field while `child` (one of its children) is its active child. */
    valuesFor(holder: number, child: number): number[] {
        const values: number[] = [];
        for (let node = child; node <= this.end[child]!; node++) {
            if (this.held(this.tree.nodes[node]!) && this.slot[node] === this.slot[holder]) {
                values.push(node);
            }
        }
        return values;
    }

    /** Composites with one active child: the machine, compound states, regions. */
    holders(): TreeNodeView[] {
        return this.tree.nodes.filter((node) => node.index === 0 || node.kind === 'compound' || node.kind === 'region');
    }

    /** True when the two states can be active at once: they lie in different regions of one parallel state. */
    orthogonal(a: number, b: number): boolean {
        const ancestors = new Set<number>();
        for (let node = a; node >= 0; node = this.tree.nodes[node]!.parent) {
            ancestors.add(node);
        }
        let common = b;
        while (!ancestors.has(common)) {
            common = this.tree.nodes[common]!.parent;
        }
        return common !== 0 && this.tree.nodes[common]!.kind === 'parallel';
    }

    /** An expression true while `node` is active. */
    activeTest(node: number, m = 'm'): string {
        const field = `${m}.${this.field(node)}`;
        const values = this.valuesFor(node, node);
        return values.length === 1 ? `${field} === ${values[0]!}` : `${field} >= ${values[0]!} && ${field} <= ${values[values.length - 1]!}`;
    }
}

/** The active child of a composite, from its region field (NONE: the composite is not active). */
function childFunction(machine: MachineView, layout: RegionLayout, holder: TreeNodeView): Generated {
    return expandToNode`
        function child${holder.index}(m: ${machine.className}): number {
            switch (m.${layout.field(holder.index)}) {
                ${eachLine(holder.children, (child) => expandToNode`
                    ${layout.valuesFor(holder.index, child).map((value) => `case ${value}:`).join(' ')}
                        return ${child};
                `)}
            }
            return NONE;
        }
    `;
}

/** What a deep history over regions remembers: the active child of every composite, by number. */
function activeNowFunction(machine: MachineView, layout: RegionLayout): Generated {
    return expandToNode`
        function activeNow(m: ${machine.className}): Int32Array {
            const active = new Int32Array(${layout.tree.nodes.length}).fill(NONE);
            ${eachLine(layout.holders(), (holder) => `active[${holder.index}] = child${holder.index}(m);`)}
            return active;
        }
    `;
}

/**
 * Where the states active below a composite stop being one chain from it (its active child, that one's, …): the one
 * active atomic state, or the first parallel state of several regions. It is what a deep history over regions keeps
 * in `remembered` (language/generator/state-tree.ts, `pivots`): a transition from inside the composite to that
 * history switches over it.
 */
function pivotsBelow(tree: HierarchyView, node: TreeNodeView): TreeNodeView[] {
    return node.kind === 'atomic' || (node.kind === 'parallel' && node.children.length > 1) ? [node] : node.children.flatMap((child) => pivotsBelow(tree, tree.nodes[child]!));
}

/** The pivot (see pivotsBelow) active now below a composite holding a deep history over regions. */
function pivotFunction(machine: MachineView, layout: RegionLayout, holder: TreeNodeView): Generated {
    const pivots = pivotsBelow(layout.tree, holder);
    return expandToNode`
        function pivot${holder.index}(m: ${machine.className}): number {
            ${eachLine(pivots.slice(0, -1), (pivot) => expandToNode`
                if (${layout.activeTest(pivot.index)}) {
                    return ${pivot.index};
                }
            `)}
            return ${pivots[pivots.length - 1]!.index};
        }
    `;
}

/** Action calls as statements, each reported first (while observed) with the state it belongs to. */
function actionLines(machine: MachineView, calls: readonly ActionCall[], phase: ActionPhase, state: string, traced = true): Generated {
    if (!traced) {
        return eachLine(calls, (call) => actionStatement(machine, call));
    }
    return eachLine(calls, (call) => expandToNode`
        m.tracing && m.traceActionIn(${JSON.stringify(call.label)}, ${JSON.stringify(phase)}, ${JSON.stringify(state)});
        ${actionStatement(machine, call)}
    `);
}

function guardExpression(guard: GuardCall): string {
    return `${guard.negated ? '!' : ''}${memberCall(guard.member, guard.payloadType)}`;
}

/** Entering one state: the machine's record of it, the trace, entry actions, its timers, then completion. */
function enterFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView, layout: RegionLayout | undefined): Generated {
    return expandToNode`
        function enter${node.index}(m: ${machine.className}): void {
            ${enterBody(machine, tree, node, layout, true)}
        }
    `;
}

/** What entering a state does (`traced`: with its trace lines, as `enterN`; else as an unobserved machine runs it). */
function enterBody(machine: MachineView, tree: HierarchyView, node: TreeNodeView, layout: RegionLayout | undefined, traced: boolean): Generated {
    const parent = tree.nodes[node.parent]!;
    const completes = node.completes;
    const record = layout
        ? onlyIf(layout.held(node), () => `m.${layout.field(node.index)} = ${node.index};`)
        : expandToNode`
            ${parent.kind !== 'parallel' ? `m.active[${node.parent}] = ${node.index};` : undefined}
            ${node.leaf ? `m.state = ${node.leaf.constName};` : undefined}
        `;
    return expandToNode`
        ${record}
        ${traced ? `m.tracing && m.traceEnter(${JSON.stringify(node.name)});` : undefined}
        ${actionLines(machine, node.entry, 'entry', node.name, traced)}
        ${eachLine(node.timers, (timer) => `m.armStateTimer(${timer.slot}, ${timer.ms}, ${timer.id});`)}
        ${node.final && node.parent === 0 ? 'void m.finish();' : undefined}
        ${completes?.parentDone !== undefined ? `m.dispatch(${completes.parentDone});` : undefined}
        ${onlyIf(completes?.parallelDone, (done) => expandToNode`
            if (${done.regions.map((region) => (layout ? `FINAL[child${region}(m)] === 1` : `FINAL[m.active[${region}]!] === 1`)).join(' && ')}) {
                m.dispatch(${done.id});
            }
        `)}
    `;
}

/** Leaving one state: the trace, exit actions, its timers stop, and it is no longer its parent's active child. */
function leaveFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView, layout: RegionLayout | undefined): Generated {
    return expandToNode`
        function leave${node.index}(m: ${machine.className}): void {
            ${leaveBody(machine, tree, node, layout, true)}
        }
    `;
}

/** What leaving a state does (`traced`: with its trace lines, as `leaveN`; else as an unobserved machine runs it). */
function leaveBody(machine: MachineView, tree: HierarchyView, node: TreeNodeView, layout: RegionLayout | undefined, traced: boolean): Generated {
    const parent = tree.nodes[node.parent]!;
    const record = layout
        ? onlyIf(layout.held(node), () => `m.${layout.field(node.index)} = NONE;`)
        : onlyIf(parent.kind !== 'parallel', () => `m.active[${node.parent}] = NONE;`);
    return expandToNode`
        ${traced ? `m.tracing && m.traceExit(${JSON.stringify(node.name)});` : undefined}
        ${actionLines(machine, node.exit, 'exit', node.name, traced)}
        ${eachLine(node.timers, (timer) => `m.clearStateTimer(${timer.slot});`)}
        ${record}
    `;
}

/** The call that leaves `node` with everything active inside it. */
function leaveAllCall(node: TreeNodeView): string {
    return node.kind === 'atomic' ? `leave${node.index}(m);` : `leaveAll${node.index}(m);`;
}

/** The children of a composite active now: one of a compound state or region (a switch), every region of a parallel state. */
function leaveChildren(tree: HierarchyView, node: TreeNodeView, layout: RegionLayout | undefined): Generated {
    if (node.kind === 'parallel') {
        return eachLine([...node.children].reverse(), (child) => leaveAllCall(tree.nodes[child]!));
    }
    if (layout) {
        return expandToNode`
            switch (m.${layout.field(node.index)}) {
                ${eachLine(node.children, (child) => expandToNode`
                    ${layout.valuesFor(node.index, child).map((value) => `case ${value}:`).join(' ')}
                        ${leaveAllCall(tree.nodes[child]!)}
                        break;
                `)}
            }
        `;
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
function leaveAllFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView, layout: RegionLayout | undefined): Generated {
    return expandToNode`
        function leaveAll${node.index}(m: ${machine.className}): void {
            ${eachLine(node.remembers, (remember) =>
                remember.what === 'child'
                    ? `m.remembered[${remember.history}] = ${layout ? `child${node.index}(m)` : `m.active[${node.index}]!`};`
                    : remember.what === 'regions'
                      ? `m.remembered[${remember.history}] = 1;`
                      : remember.what === 'snapshot'
                        ? `m.rememberAll(${remember.history}, pivot${node.index}(m), activeNow(m));`
                        : `m.remembered[${remember.history}] = ${layout ? `m.${layout.field(node.index)}` : `m.activeLeaf(${node.index}, HOLDS_ONE)`};`
            )}
            ${leaveChildren(tree, node, layout)}
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
function leaveBelowFunction(machine: MachineView, tree: HierarchyView, node: TreeNodeView, layout: RegionLayout | undefined): Generated {
    return expandToNode`
        function leaveBelow${node.index}(m: ${machine.className}): void {
            ${leaveChildren(tree, node, layout)}
        }
    `;
}

/**
 * The cases of a switch over what a history remembers, those with the same code as one (`case 4: case 9:`); the
 * case of nothing remembered yet (NONE) is the default.
 */
function historyCases<T>(cases: ReadonlyArray<{ remembered: number; value: T }>, print: (value: T) => Generated, close: string | undefined): Generated {
    const groups = new Map<string, { labels: number[]; body: Generated }>();
    for (const each of cases) {
        const body = print(each.value);
        const key = toString(body);
        const group = groups.get(key) ?? { labels: [], body };
        group.labels.push(each.remembered);
        groups.set(key, group);
    }
    return eachLine([...groups.values()], ({ labels, body }) => {
        const head = labels.some((label) => label < 0) ? 'default:' : labels.map((label) => `case ${label}:`).join(' ');
        return close === undefined
            ? expandToNode`${head} ${body}`
            : expandToNode`
                ${head} {
                    ${body}
                    ${close}
                }
            `;
    });
}

/** A step fixed at generation time, or a switch over what a history remembers. */
function byHistory<T>(stepOf: TreeStep<T>, print: (value: T) => Generated): Generated {
    if (stepOf.kind === 'static') {
        return print(stepOf.value);
    }
    return expandToNode`
        switch (m.remembered[${stepOf.history}]) {
            ${historyCases(stepOf.cases, print, 'break;')}
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

/**
 * What `fireFrom` does, written out whole for an unobserved machine (no trace checks, no calls) when the generator
 * knows every exit and entry; undefined otherwise (a history or a parallel state on the way).
 */
function quietFire(machine: MachineView, tree: HierarchyView, layout: RegionLayout | undefined, leaf: number, index: number): Generated | undefined {
    const transition = tree.transitions[index]!;
    const exit = transition.exitBelow;
    if (exit === undefined) {
        return actionLines(machine, transition.actions, 'transition', transition.source, false);
    }
    const enters = transition.enters;
    if (exit.kind !== 'static' || enters?.kind !== 'static' || enters.value.some((each) => typeof each !== 'number')) {
        return undefined;
    }
    const left: TreeNodeView[] = [];
    for (let node = tree.nodes[leaf]!; node.index !== exit.value; node = tree.nodes[node.parent]!) {
        if (node.kind === 'parallel' || node.remembers.length > 0 || node.index === 0) {
            return undefined;
        }
        left.push(node);
    }
    return expandToNode`
        ${eachLine(left, (node) => leaveBody(machine, tree, node, layout, false))}
        ${actionLines(machine, transition.actions, 'transition', transition.source, false)}
        ${eachLine(enters.value as number[], (node) => enterBody(machine, tree, tree.nodes[node]!, layout, false))}
    `;
}

/**
 * Fires a transition from atomic state `leaf` and returns: written out whole while nobody observes the machine.
 * `traced: 'general'` takes the traced way through the transition's own function, which exits whatever is active
 * below its domain: the code then no longer depends on `leaf`, and atomic states that fire alike share one case.
 */
function fireAndReturn(machine: MachineView, tree: HierarchyView, layout: RegionLayout | undefined, leaf: number, index: number, traced: 'from leaf' | 'general' = 'from leaf'): Generated {
    const quiet = quietFire(machine, tree, layout, leaf, index);
    return expandToNode`
        ${onlyIf(quiet, (lines) => expandToNode`
            if (!m.tracing) {
                ${lines}
                return;
            }
        `)}
        ${quiet === undefined || traced === 'from leaf' ? fireFrom(tree, leaf, index) : `transition${index}(m);`}
        return;
    `;
}

/** The cases of one region's switch: atomic states whose code is the same share one case (`case 5: case 6:`). */
function sharedCases(cases: ReadonlyArray<{ label: number; body: Generated }>): Generated {
    const groups = new Map<string, { labels: number[]; body: Generated }>();
    for (const { label, body } of cases) {
        const key = toString(body);
        const group = groups.get(key);
        if (group) {
            group.labels.push(label);
        } else {
            groups.set(key, { labels: [label], body });
        }
    }
    return expandToNode`
        ${eachLine([...groups.values()], ({ labels, body }) => expandToNode`
            ${labels.map((label) => `case ${label}:`).join(' ')}
                ${body}
        `)}
    `;
}

/** An atomic state: per event, the transitions it and its ancestors may take, tried in order. */
function leafClass(machine: MachineView, tree: HierarchyView, node: TreeNodeView): Generated {
    const leaf = node.leaf!;
    const handlers = tree.handlers.get(node.index) ?? [];
    const m = machine.className;
    if (tree.parallel) {
        // With regions, the event functions switch over the active atomic states' numbers: the class only names the state.
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
                                    ${fireAndReturn(machine, tree, undefined, node.index, branch.transition)}
                                }
                            `
                            : expandToNode`
                                // ${commentText(branch.comment)}
                                ${fireAndReturn(machine, tree, undefined, node.index, branch.transition)}
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
function branchLines(branches: readonly TreeBranchView[], exhaustive: boolean, fire: (transition: number) => Generated, after: string): Generated {
    return expandToNode`
        ${eachLine(branches, (branch) =>
            branch.guard
                ? expandToNode`
                    // ${commentText(branch.comment)}
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

/** With regions, the branches of one atomic state in a step that may choose one transition per region. */
function choiceLines(branches: readonly TreeBranchView[], exhaustive: boolean): Generated {
    return expandToNode`
        ${eachLine(branches, (branch) => {
            const choose = `m.choice(${branch.transition});`;
            if (branch.shared) {
                // Declared above a parallel state: another region may have chosen it already (its guard is not asked again).
                return branch.guard
                    ? expandToNode`
                        // ${commentText(branch.comment)}
                        if (m.chose(${branch.transition})) {
                            break;
                        }
                        if (${guardExpression(branch.guard)}) {
                            ${choose}
                            break;
                        }
                    `
                    : expandToNode`
                        // ${commentText(branch.comment)}
                        if (!m.chose(${branch.transition})) {
                            ${choose}
                        }
                        break;
                    `;
            }
            return branch.guard
                ? expandToNode`
                    // ${commentText(branch.comment)}
                    if (${guardExpression(branch.guard)}) {
                        ${choose}
                        break;
                    }
                `
                : expandToNode`
                    // ${commentText(branch.comment)}
                    ${choose}
                    break;
                `;
        })}
        ${exhaustive ? undefined : 'break;'}
    `;
}

/**
 * With regions, the code of one event, decided as far as the generator can: a transition declared above a parallel
 * state that is every taker's only choice fires once while its source is active; when no two states that take the
 * event can be active at once, a switch per region over its active state fires the transition, as a hand-written
 * switch would; otherwise every region may choose one transition and SCXML's conflict rule decides (`fireChosen`).
 * It is a function of its own, called by `process`: V8 inlines nothing into a function of more than about 4,600 bytes
 * of bytecode, so one `process` holding every event would call each action instead of inlining it.
 * Undefined when no active state takes the event (`process` reports it unhandled).
 */
function regionEventFunction(machine: MachineView, tree: HierarchyView, layout: RegionLayout, event: EventView): Generated | undefined {
    const taking = takers(tree, event);
    if (taking.length === 0) {
        return undefined;
    }
    const unhandled = `m.tracing && m.unhandled(${machine.eventsConst}.${event.key});`;
    const regions = [...new Set(taking.map(({ node }) => layout.slot[node.index]!))].sort((a, b) => a - b);
    const inRegion = (region: number): typeof taking => taking.filter(({ node }) => layout.slot[node.index] === region);
    const only = taking[0]!.branches[0]!;
    const wrap = (body: Generated): Generated => expandToNode`
        ${docComment(`${event.name}, taken by the active states of ${machine.name}.`)}
        function ${event.method}(m: ${machine.className}): void {
            ${body}
        }
    `;
    if (only.shared && taking.every(({ branches }) => branches.length === 1 && branches[0]!.transition === only.transition && !branches[0]!.guard)) {
        // Every atomic state inside its source takes it and nothing else: one transition, whichever regions are active.
        const source = tree.transitions[only.transition]!.sourceIndex;
        return wrap(expandToNode`
            // ${commentText(only.comment)}
            if (${layout.activeTest(source)}) {
                transition${only.transition}(m);
                return;
            }
            ${unhandled}
        `);
    }
    const exclusive = taking.every(({ node, branches }) => !branches.some((branch) => branch.shared) && taking.every((other) => !layout.orthogonal(node.index, other.node.index)));
    if (exclusive) {
        return wrap(expandToNode`
            ${eachLine(regions, (region) => expandToNode`
                switch (m.leaf${region}) {
                    ${sharedCases(
                        inRegion(region).map(({ node, branches, exhaustive }) => ({
                            label: node.index,
                            body: branchLines(branches, exhaustive, (transition) => fireAndReturn(machine, tree, layout, node.index, transition, 'general'), 'break;')
                        }))
                    )}
                }
            `)}
            ${unhandled}
        `);
    }
    return wrap(expandToNode`
        ${eachLine(regions, (region) => expandToNode`
            switch (m.leaf${region}) {
                ${eachLine(inRegion(region), ({ node, branches, exhaustive }) => expandToNode`
                    case ${node.index}:
                        ${choiceLines(branches, exhaustive)}
                `)}
            }
        `)}
        if (!m.fireChosen()) {
            m.unhandled(${machine.eventsConst}.${event.key});
        }
    `);
}

/** With regions, the case of one event in `process`: its function, or unhandled when no state takes it. */
function regionEventCase(machine: MachineView, tree: HierarchyView, event: EventView): Generated {
    return expandToNode`
        case ${machine.eventsConst}.${event.key}:
            ${takers(tree, event).length > 0 ? `${event.method}(m);` : 'm.tracing && m.unhandled(event);'}
            return;
    `;
}

function processMethod(machine: MachineView, tree: HierarchyView, layout: RegionLayout | undefined): Generated {
    return expandToNode`
        protected process(event: number): void {
            const m = this;
            switch (event) {
                ${eachLine(machine.events, (event) =>
                    layout
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
                        if (${layout ? `child${done.parent}(m) === ${done.state}` : `this.active[${done.parent}] === ${done.state}`}) {
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
                                        ${historyCases(transition.exitBelow!.cases, (domain) => `return ${domain};`, undefined)}
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

/** With regions: the active atomic states in document order, from the region fields. */
function stateNameGetter(tree: HierarchyView): Generated {
    const fields = Array.from({ length: tree.regionCount }, (_, region) => `this.leaf${region}`);
    return expandToNode`
        override get stateName(): string {
            return [${fields.join(', ')}].filter((leaf) => leaf !== NONE && ATOMIC[leaf] === 1).map((leaf) => TABLES.names[leaf]!).join(', ');
        }
    `;
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
    const layout = tree.parallel ? new RegionLayout(tree) : undefined;
    const process = processMethod(machine, tree, layout);
    const unused = ['NONE', ...(tree.parallel ? ['HierarchicalMachine'] : ['RegionMachine', 'RegionTables'])];
    const runtimeImport = HIERARCHY_FILE_IMPORTS.runtime.importLine((name) => !unused.includes(name));
    return file(expandToNode`
        ${machineFileHead(machine, `Machine ${machine.name}: composite states, each transition's exits and entries written out.`, runtimeImport)}

        ${docComment(`A state of ${machine.name}: ${tree.parallel ? 'its name (the event functions switch over state numbers)' : 'one method per event; by default an event is ignored and reported as unhandled'}.`)}
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
        ${onlyIf(!layout, () => expandToNode`
            /** 1 for the machine, compound states and regions (one active child), by number. */
            const HOLDS_ONE = new Uint8Array([${tree.nodes.map((node, index) => (index === 0 || node.kind === 'compound' || node.kind === 'region' ? 1 : 0)).join(', ')}]);
        `)}
        ${onlyIf(tree.parallel, () => expandToNode`

            /** 1 for the atomic states, by number. */
            const ATOMIC = new Uint8Array([${tree.nodes.map((node, index) => (index !== 0 && node.kind === 'atomic' ? 1 : 0)).join(', ')}]);
            /** The tree's shape for SCXML's conflict rule: where each subtree ends, each transition's source, whether it has a target. */
            const TABLES: RegionTables = {
                names: [${tree.nodes.map((node) => JSON.stringify(node.name)).join(', ')}],
                subtreeEnd: new Int32Array([${subtreeEnds(tree).join(', ')}]),
                source: new Int32Array([${tree.transitions.map((transition) => transition.sourceIndex).join(', ')}]),
                targeted: new Uint8Array([${tree.transitions.map((transition) => (transition.exitBelow ? 1 : 0)).join(', ')}])
            };
        `)}

        ${blocks(nodes, (node) => enterFunction(machine, tree, node, layout))}

        ${blocks(nodes, (node) => leaveFunction(machine, tree, node, layout))}

        ${blocks(composites, (node) => leaveAllFunction(machine, tree, node, layout))}

        ${blocks(holders, (node) => leaveBelowFunction(machine, tree, node, layout))}
        ${onlyIf(layout, (regions) => expandToNode`

            ${blocks(regions.holders(), (holder) => childFunction(machine, regions, holder))}
        `)}
        ${onlyIf(layout && nodes.some((node) => node.remembers.some((remember) => remember.what === 'snapshot')) && layout, (regions) => expandToNode`

            ${activeNowFunction(machine, regions)}

            ${blocks(nodes.filter((node) => node.remembers.some((remember) => remember.what === 'snapshot')), (node) => pivotFunction(machine, regions, node))}
        `)}
        ${onlyIf(tree.restorable.length > 0, () => expandToNode`

            ${blocks(tree.restorable.map((index) => tree.nodes[index]!), (node) => restoreFunction(machine, tree, node))}
        `)}

        ${blocks(tree.transitions, (transition) => transitionFunction(machine, transition))}
        ${onlyIf(layout, (regions) => expandToNode`

            ${blocks(machine.events.flatMap((event) => regionEventFunction(machine, tree, regions, event) ?? []), (handler) => handler)}
        `)}
        ${signalsAndOptions(machine)}

        ${docComment(`Machine ${machine.name}: owns the active states and dispatches events to them (the runtime's ${base} does the rest).`)}
        export class ${m} extends ${base}<${machine.stateBase}, ${machine.eventIdType}> {
            ${onlyIf(layout, (regions) => expandToNode`
                ${eachLine(Array.from({ length: tree.regionCount }, (_, region) => region), (region) => expandToNode`
                    /** The innermost active state of ${region === 0 ? 'the machine' : `region ${tree.nodes.find((node) => node.kind === 'region' && regions.slot[node.index] === region)!.name}`} that is atomic or parallel; NONE when it is not active. */
                    leaf${region} = NONE;
                `)}

            `)}
            ${blocks(machineMembers(machine, { superArguments: `${initialLeaf.leaf!.constName}, ${sizes}`, process, extra: [beginMethod(tree), ...(layout ? [stateNameGetter(tree), ...regionMembers(machine, tree)] : [])] }), (member) => member)}
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

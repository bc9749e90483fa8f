// Checks of a machine's declarations: one initial state, unique names, catchable signals, machine names across the
// workspace, and the tree of states (hierarchy-structure.ts).
import { AstUtils, GrammarUtils, MultiMap, WorkspaceCache, type AstNode, type AstNodeDescription, type IndexManager, type LangiumCoreServices, type ValidationAcceptor } from 'langium';
import type { History, Machine, Model, Region, State, Timer } from '../generated/ast.js';
import { allHistories, allRegions, allStates } from '../ast/hierarchy.js';
import { checkDoneTransitions, checkHistory, checkInitialChild, checkStateBody } from './hierarchy-structure.js';
import { parseDuration } from '../values/quantities.js';
import { UNCLOSED_COMMENT_MESSAGE } from '../syntax-errors/messages.js';
import { signalProblem } from '../values/signals.js';
import { openingOfComment } from './document-validator.js';
import { IssueCodes } from './issue-codes.js';
import { report } from './report.js';
import { hasSyntaxError } from './incomplete-machines.js';
import { lineOf } from './locations.js';

type Named = AstNode & { name: string };

/** The service `validation.checks.Structure`. */
export class StructureChecks {
    private readonly indexManager: IndexManager;
    /** Machine names of the workspace → where they are declared; built once per workspace version. */
    private readonly machinesByName: WorkspaceCache<'machines', MultiMap<string, AstNodeDescription>>;

    constructor(services: LangiumCoreServices) {
        this.indexManager = services.shared.workspace.IndexManager;
        this.machinesByName = new WorkspaceCache(services.shared);
    }

    /** Exactly one state is marked `initial`. */
    checkInitialState(machine: Machine, accept: ValidationAcceptor): void {
        if (machine.name === undefined || hasSyntaxError(machine)) {
            return; // a syntax error already says what is missing
        }
        const initials = machine.states.filter((state) => state.initial);
        if (initials.length === 0) {
            report(accept, IssueCodes.NoInitial, `Machine '${machine.name}' has no initial state: mark the state it starts in with 'initial'.`, {
                node: machine,
                property: 'name'
            });
        }
        for (const extra of initials.slice(1)) {
            report(accept, IssueCodes.ManyInitial, `Machine '${machine.name}' already starts in '${initials[0]!.name}' (line ${lineOf(initials[0]!)}): only one state can be 'initial'.`, {
                node: extra,
                keyword: 'initial'
            });
        }
    }

    /** No two events, or sockets, of one machine share a name; states, regions and histories share one namespace. */
    checkUniqueNames(machine: Machine, accept: ValidationAcceptor): void {
        reportDuplicates('event', machine.eventLists.flatMap((list) => list.events), machine, accept);
        reportDuplicates('state', statesRegionsAndHistories(machine), machine, accept);
        reportDuplicates('socket', machine.sockets, machine, accept);
    }

    /** A composite state holds one `initial` state, a parallel state only regions, a final state nothing; `on done` needs states inside. */
    checkState(state: State, accept: ValidationAcceptor): void {
        checkInitialChild(state, accept);
        checkStateBody(state, accept);
        checkDoneTransitions(state, accept);
    }

    /** A region holds one `initial` state. */
    checkRegion(region: Region, accept: ValidationAcceptor): void {
        checkInitialChild(region, accept);
    }

    /** A history stands in a composite state or a region, with its default inside it. */
    checkHistory(history: History, accept: ValidationAcceptor): void {
        checkHistory(history, accept);
    }

    /** A `/*` after the last machine that is never closed. */
    checkUnclosedComment(model: Model, accept: ValidationAcceptor): void {
        const document = AstUtils.getDocument(model);
        const start = GrammarUtils.findNodeForProperty(model.$cstNode, 'unclosedComment')?.range.start;
        // Inside a machine the parser already reported it.
        if (model.unclosedComment !== undefined && start && document.parseResult.parserErrors.length === 0) {
            report(accept, IssueCodes.SyntaxError, UNCLOSED_COMMENT_MESSAGE, { node: model, range: openingOfComment(start) });
        }
    }

    /** No two machines of the workspace share a name (sessions are looked up by machine name). */
    checkUniqueMachines(model: Model, accept: ValidationAcceptor): void {
        const uri = AstUtils.getDocument(model).uri.toString();
        const firstHere = new Map<string, Machine>();
        for (const machine of model.machines) {
            if (machine.name === undefined) {
                continue;
            }
            const earlier = firstHere.get(machine.name);
            if (earlier) {
                report(accept, IssueCodes.DuplicateName, `Duplicate machine name '${machine.name}': line ${lineOf(earlier)} already declares a machine called that.`, {
                    node: machine,
                    property: 'name'
                });
                continue;
            }
            firstHere.set(machine.name, machine);
            const declared = this.machinesByName.get('machines', () => new MultiMap(this.indexManager.allElements('Machine').map((description) => [description.name, description] as [string, AstNodeDescription]).toArray()));
            const elsewhere = declared.get(machine.name).find((description) => description.documentUri.toString() !== uri);
            if (elsewhere) {
                report(accept, IssueCodes.DuplicateName, `Duplicate machine name '${machine.name}': ${elsewhere.documentUri.path.split('/').pop()} declares a machine called that too. Machine names are shared by the whole workspace.`, {
                    node: machine,
                    property: 'name'
                });
            }
        }
    }

    /** Signals are ones a program can catch, each bound once. */
    checkSignals(machine: Machine, accept: ValidationAcceptor): void {
        const bound = new Map<string, number | '?'>();
        for (const signal of machine.signals) {
            if (signal.signal === undefined) {
                continue; // a syntax error already says what is missing
            }
            const problem = signalProblem(signal.signal);
            if (problem) {
                report(accept, IssueCodes.BadSignal, problem, { node: signal, property: 'signal' });
                continue;
            }
            const earlier = bound.get(signal.signal);
            if (earlier !== undefined) {
                report(accept, IssueCodes.BadSignal, `${signal.signal} is already bound on line ${earlier}: one signal raises one event.`, {
                    node: signal,
                    property: 'signal'
                });
            } else {
                bound.set(signal.signal, lineOf(signal));
            }
        }
    }

    /** A timer waits a positive, whole number of milliseconds. */
    checkTimerDelay(timer: Timer, accept: ValidationAcceptor): void {
        const delay = timer.delay === undefined ? undefined : parseDuration(timer.delay);
        if (delay && !delay.ok) {
            report(accept, IssueCodes.BadDuration, delay.message, { node: timer, property: 'delay' });
        }
    }
}

/** States at any depth, regions and histories, in the order of the text: one namespace (`-> Paused` works anywhere). */
function statesRegionsAndHistories(machine: Machine): Named[] {
    const states = allStates(machine);
    if (states.length === machine.states.length && states.every((state) => state.histories.length === 0)) {
        return states; // flat: nothing else to sort in
    }
    const offset = (node: AstNode): number => node.$cstNode?.offset ?? Number.POSITIVE_INFINITY;
    return [...states, ...allRegions(machine), ...allHistories(machine)].sort((a, b) => offset(a) - offset(b));
}

/** What a named node is, in a message: an event, a state, a region, … */
function kindOf(fallback: string, node: Named): string {
    switch (node.$type) {
        case 'Region':
            return 'region';
        case 'History':
            return 'history';
        default:
            return fallback;
    }
}

function reportDuplicates(fallback: string, nodes: readonly Named[], machine: Machine, accept: ValidationAcceptor): void {
    const first = new Map<string, Named>();
    for (const node of nodes) {
        if (node.name === undefined) {
            continue;
        }
        const earlier = first.get(node.name);
        if (earlier) {
            const kind = kindOf(fallback, node);
            const earlierKind = kindOf(fallback, earlier);
            const shared = kind === earlierKind ? '' : ' States, regions and histories share one namespace.';
            report(accept, IssueCodes.DuplicateName, `Duplicate ${kind} name '${node.name}': machine '${machine.name}' already has ${/^[aeiou]/.test(earlierKind) ? 'an' : 'a'} ${earlierKind} called that (line ${lineOf(earlier)}).${shared}`, {
                node,
                property: 'name'
            });
        } else {
            first.set(node.name, node);
        }
    }
}

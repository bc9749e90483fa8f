// Checks read off the machine analysis: where the machine cannot go, gets stuck, or cannot decide.
import type { ValidationAcceptor } from 'langium';
import { DiagnosticTag } from 'vscode-languageserver';
import type { MachineAnalyzer } from '../analysis/machine-analyzer.js';
import { isComposite } from '../ast/hierarchy.js';
import type { Event, Machine, Transition } from '../generated/ast.js';
import { IssueCodes } from './issue-codes.js';
import { report } from './report.js';
import { lineOf } from './locations.js';
import { isIncomplete } from './incomplete-machines.js';
import type { ReactorFsmServices } from '../module.js';

/**
 * The service `validation.checks.Graph`. Graph checks skip an incomplete machine (syntax error, unknown name): a
 * half-typed line would make them report phantom problems.
 */
export class GraphChecks {
    private readonly analyzer: MachineAnalyzer;

    constructor(services: Pick<ReactorFsmServices, 'analysis'>) {
        this.analyzer = services.analysis.MachineAnalyzer;
    }

    /** States no path from the initial state reaches. */
    checkReachability(machine: Machine, accept: ValidationAcceptor): void {
        if (isIncomplete(machine)) {
            return;
        }
        const analysis = this.analyzer.analyze(machine);
        // `unreachable` waits until the machine, every composite state and every region has exactly one initial state.
        if (!analysis.initial) {
            return;
        }
        const seen = new Set<string>();
        for (const state of analysis.states) {
            const duplicate = seen.has(state.name);
            seen.add(state.name);
            if (!duplicate && analysis.unreachable.has(state)) {
                report(accept, IssueCodes.UnreachableState, `State '${state.name}' is unreachable: no transition or timer leads to it from the initial state '${analysis.initial.name}'. Add a transition to it, or remove it.`, {
                    node: state,
                    property: 'name',
                    tags: [DiagnosticTag.Unnecessary]
                });
            }
        }
    }

    /** Non-final states with no way out, and states from which no final state can be reached. */
    checkProgress(machine: Machine, accept: ValidationAcceptor): void {
        if (isIncomplete(machine)) {
            return;
        }
        const analysis = this.analyzer.analyze(machine);
        for (const state of analysis.terminal) {
            report(accept, IssueCodes.TerminalState, `State '${state.name}' is not final, yet nothing leaves it: the machine gets stuck here. Add a transition or timer to another state, or mark it 'final'.`, {
                node: state,
                property: 'name'
            });
        }
        for (const state of analysis.traps) {
            report(accept, IssueCodes.CannotFinish, `From state '${state.name}' no final state can be reached: once here, machine '${machine.name}' never finishes.`, {
                node: state,
                property: 'name'
            });
        }
        for (const trigger of analysis.finalTriggers) {
            const state = trigger.$container;
            report(accept, IssueCodes.FinalHasTransitions, `Final state '${state.name}' cannot have ${trigger.$type === 'Timer' ? 'timers' : 'transitions'}: a finished machine takes no more events. Remove this line, or drop 'final'.`, { node: trigger });
        }
        // A final state is never left, so its exit actions would never run.
        for (const state of analysis.states) {
            if (!state.final) {
                continue;
            }
            for (const exit of state.exits) {
                report(accept, IssueCodes.FinalHasTransitions, `Final state '${state.name}' cannot have exit actions: a final state is never left, so they can never run. Remove this line, or drop 'final'.`, { node: exit });
            }
        }
    }

    /** Two transitions on one event where only one can ever fire. */
    checkDeterminism(machine: Machine, accept: ValidationAcceptor): void {
        if (isIncomplete(machine)) {
            return;
        }
        const analysis = this.analyzer.analyze(machine);
        for (const [first, second] of analysis.nondeterministic) {
            report(accept, IssueCodes.Nondeterministic, `State '${first.$container.name}' already has an unguarded transition on '${eventName(first)}' (line ${lineOf(first)}): which one fires is undecided. Add a guard to one of them, or remove one.`, {
                node: second,
                property: 'event'
            });
        }
        for (const [earlier, guarded] of analysis.shadowed) {
            const why = earlier.guard
                ? `the one on line ${lineOf(earlier)} has the same guard and is tried first. Remove one, or give them different guards.`
                : `the unguarded one on line ${lineOf(earlier)} is tried first and always matches. Move the unguarded transition last.`;
            report(accept, IssueCodes.ShadowedTransition, `This transition on '${eventName(guarded)}' can never fire: ${why}`, {
                node: guarded,
                property: 'guard'
            });
        }
    }

    /** Histories nobody targets; a state's transition hiding its parent's; two regions' transitions in each other's way. */
    checkHierarchy(machine: Machine, accept: ValidationAcceptor): void {
        if (isIncomplete(machine)) {
            return;
        }
        const analysis = this.analyzer.analyze(machine);
        if (!analysis.hierarchical) {
            return;
        }
        for (const history of analysis.unusedHistories) {
            if (history.$container.$type === 'State' && !isComposite(history.$container)) {
                continue; // misplaced-history says what to do first
            }
            report(accept, IssueCodes.UnusedHistory, `History '${history.name}' is never used: no transition or timer targets it. Target it with '-> ${history.name}' to resume where '${history.$container.name}' was left, or remove it.`, {
                node: history,
                property: 'name',
                tags: [DiagnosticTag.Unnecessary]
            });
        }
        for (const [inner, outer] of analysis.hidden) {
            const state = inner.$container;
            report(accept, IssueCodes.HiddenTransition, `While '${state.name}' is active, this transition on '${eventName(inner)}' is taken instead of the one of '${outer.$container.name}' (line ${lineOf(outer)}): the innermost state is asked first, and without a guard it always takes the event. Fine if meant; otherwise add a guard, or remove this line.`, {
                node: inner,
                property: 'event'
            });
        }
        for (const conflict of analysis.regionConflicts) {
            const { earlier, later } = conflict;
            report(accept, IssueCodes.RegionConflict, `This transition on '${eventName(later)}' (region '${conflict.laterRegion.name}') conflicts with the one of '${earlier.$container.name}' (line ${lineOf(earlier)}, region '${conflict.earlierRegion.name}'): both regions of '${conflict.parallel.name}' take the event and one of them leaves the parallel state, so only the earlier one fires. Handle '${eventName(later)}' on '${conflict.parallel.name}' itself, or keep both transitions inside their regions.`, {
                node: later,
                property: 'event'
            });
        }
    }

    /** Events nobody handles, and handled events nothing in a reactor produces. */
    checkEventUse(machine: Machine, accept: ValidationAcceptor): void {
        if (isIncomplete(machine)) {
            return;
        }
        const analysis = this.analyzer.analyze(machine);
        const seen = new Set<string>();
        for (const event of analysis.events) {
            if (seen.has(event.name)) {
                continue; // a duplicate: reported as duplicate-name
            }
            seen.add(event.name);
            if (!analysis.handled.has(event)) {
                report(accept, IssueCodes.UnusedEvent, `Event '${event.name}' is declared but no state handles it. Add 'on ${event.name}' to a state, or remove it.`, {
                    node: event,
                    property: 'name',
                    tags: [DiagnosticTag.Unnecessary]
                });
            } else if (analysis.isReactor && !analysis.producers.has(event)) {
                report(accept, IssueCodes.EventNeverFires, neverFiresMessage(event, machine), { node: event, property: 'name' });
            }
        }
    }
}

function eventName(transition: Transition): string {
    return transition.done ? 'done' : (transition.event?.$refText ?? '');
}

function neverFiresMessage(event: Event, machine: Machine): string {
    return `Event '${event.name}' is handled, but no socket, signal or 'raise' of machine '${machine.name}' produces it (user code may still dispatch it).`;
}


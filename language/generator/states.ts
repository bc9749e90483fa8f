// The views of a machine's states: each handler's branches, timers, entry and exit actions as calls the templates print.
import type { Action, State } from '../generated/ast.js';
import type { ActionCall, Branch, EventView, HandlerView, StateView, TimerView } from '../../templates/index.js';
import type { ActionList, Behaviour, TransitionPlan } from './behaviour.js';
import type { EventTable } from './events.js';
import type { MemberTable } from './members.js';
import type { ModuleNames } from './names.js';
import { targetState } from '../ast/hierarchy.js';
import { sendText } from '../values/framing.js';

/** What the calls of one machine refer to. */
export interface Scope {
    events: EventTable;
    members: MemberTable;
    names: ModuleNames;
    socketKeys: ReadonlyMap<string, string>;
}

export function actionCall(action: Action, scope: Scope): ActionCall {
    switch (action.$type) {
        case 'CloseAction':
            return { kind: 'close', socket: scope.socketKeys.get(action.socket.ref!.name)!, label: `close ${action.socket.ref!.name}` };
        case 'ConnectAction':
            return { kind: 'connect', socket: scope.socketKeys.get(action.socket.ref!.name)!, label: `connect ${action.socket.ref!.name}` };
        case 'RaiseAction': {
            const event = scope.events.of(action.event.ref);
            return { kind: 'raise', event: event.key, payload: action.payload, label: `raise ${event.name}` };
        }
        case 'StopAction':
            return { kind: 'stop', label: 'stop' };
        case 'SendAction': {
            const text = sendText(action);
            return { kind: 'send', socket: scope.socketKeys.get(action.socket.ref!.name)!, text: text?.ok ? text.value : undefined, label: `send ${action.socket.ref!.name}` };
        }
        case 'SpawnAction':
            return { kind: 'spawn', socket: scope.socketKeys.get(action.socket.ref!.name)!, label: `spawn ${action.socket.ref!.name}` };
        case 'PauseAction':
        case 'ResumeAction': {
            const kind = action.$type === 'PauseAction' ? 'pause' : 'resume';
            return { kind, socket: scope.socketKeys.get(action.socket.ref!.name)!, label: `${kind} ${action.socket.ref!.name}` };
        }
        case 'CallAction': {
            const member = scope.members.of('action', action.name);
            return { kind: 'call', member: member.member, payloadType: member.payloadType, label: action.name };
        }
    }
}

function actionCalls(list: ActionList, scope: Scope): ActionCall[] {
    return list.actions.map((action) => actionCall(action, scope));
}

function branch(plan: ActionList & { source: string }, target: State | undefined, scope: Scope): Branch {
    return {
        actions: actionCalls(plan, scope),
        source: plan.source,
        ...(target ? { target: scope.names.states.get(target)!.constName } : {})
    };
}

function transitionBranch(plan: TransitionPlan, scope: Scope): Branch {
    const guard = plan.transition.guard;
    const view = branch(plan, targetState(plan.transition.target?.ref), scope);
    if (!guard) {
        return view;
    }
    const member = scope.members.of('guard', guard.name);
    return { guard: { member: member.member, negated: guard.negated, payloadType: member.payloadType }, ...view };
}

/** One handler per event the state has transitions for, in the order of each event's first transition. */
function handlers(transitions: readonly TransitionPlan[], scope: Scope): HandlerView[] {
    const byEvent = new Map<EventView, TransitionPlan[]>();
    for (const transition of transitions) {
        byEvent.set(transition.event, [...(byEvent.get(transition.event) ?? []), transition]);
    }
    return [...byEvent].map(([event, plans]) => ({
        event,
        branches: plans.map((plan) => transitionBranch(plan, scope)),
        // Only transitions that can fire are planned: an unguarded one is the last on its event.
        exhaustive: plans[plans.length - 1]!.transition.guard === undefined
    }));
}

export function stateViews(behaviour: Behaviour, scope: Scope): StateView[] {
    return behaviour.states.map(({ state, transitions, timers, entry, exit }) => ({
        name: state.name,
        className: scope.names.states.get(state)!.className,
        constName: scope.names.states.get(state)!.constName,
        initial: state.initial,
        final: state.final,
        entry: actionCalls(entry, scope),
        exit: actionCalls(exit, scope),
        handlers: handlers(transitions, scope),
        timers: timers.map(({ id, label, slot, ms, timer, ...plan }): TimerView => ({ id, label, slot, ms, branch: branch(plan, targetState(timer.target?.ref), scope) }))
    }));
}

// The check `paused-forever`: a `pause SOCKET` after which nothing can make the machine read that socket again.
import type { ValidationAcceptor } from 'langium';
import type { MachineAnalyzer } from '../analysis/machine-analyzer.js';
import { findPausedForever, type PausedForever } from '../analysis/read-interest.js';
import type { Machine } from '../generated/ast.js';
import { isIncomplete } from './incomplete-machines.js';
import { IssueCodes } from './issue-codes.js';
import { report } from './report.js';

/** Reports each pause of `machine` that read-interest.ts finds may last for good (an incomplete machine waits). */
export function checkPausedForever(machine: Machine, analyzer: MachineAnalyzer, accept: ValidationAcceptor): void {
    if (isIncomplete(machine)) {
        return;
    }
    for (const found of findPausedForever(analyzer.analyze(machine))) {
        report(accept, IssueCodes.PausedForever, pausedForeverMessage(found), { node: found.action, property: 'socket' });
    }
}

function pausedForeverMessage(found: PausedForever): string {
    const name = found.socket.name;
    const where = found.phase === 'entry' ? `on entering '${found.state.name}'` : found.phase === 'exit' ? `on leaving '${found.state.name}'` : `in state '${found.state.name}'`;
    const events = found.blocked.map((event) => `'${event.name}'`);
    const list = events.length > 1 ? `${events.slice(0, -1).join(', ')} and ${events[events.length - 1]!}` : events[0];
    const waiting = list ? `, nor will ${list}, which come${events.length > 1 ? '' : 's'} only from it` : '';
    return `'${name}' is paused here (${where}) and nothing after it runs 'resume ${name}' or 'close ${name}' or finishes the machine: its reads, and its close, will never come${waiting}. Add 'resume ${name}' where the machine should read again.`;
}

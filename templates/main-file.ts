// Template: the runnable scaffold — one reactor, the top-level machines, tracing and the manual clock on request.
import { expandToNode, type Generated } from 'langium/generate';
import { addressFromEnvCall, eachLine, ExternalModule, file, generatedHeader, onlyIf } from './code.js';
import type { MachineView, ProjectView, ServerSocketView } from './view.js';

/** What main.ts imports from the runtime (see ExternalModule). */
export const MAIN_FILE_IMPORTS = {
    /** `runWorkers` only in a program with `workers` (Node's cluster). */
    runtime: new ExternalModule('./runtime/index.js', ['ManualClock', 'RealClock', 'Reactor', 'addressFromEnv', 'checkAddressOverrides', 'checkInspectorOption', 'driveManualClock', 'removeStaleSockets', 'runWorkers', 'startInspector', 'traceFormat', 'traceObservers'])
};

/** What main.ts imports only for `workers`. */
const WORKERS_ONLY: ReadonlySet<string> = new Set(['addressFromEnv', 'removeStaleSockets', 'runWorkers']);

/** The machine's constructor arguments: the reactor, its actions, and those of the sessions its servers start. */
function constructorArguments(machine: MachineView): string {
    const sessions = machine.sessionMachines.map((session) => `${session.className}: ${session.actionsConst}`).join(', ');
    return machine.runsServers ? `reactor, ${machine.actionsConst}, { ${sessions} }` : `reactor, ${machine.actionsConst}`;
}

export function mainFile(project: ProjectView): string {
    // Every address the environment may override, sessions' sockets included: checked before anything starts.
    const variables = new Set(project.machines.flatMap((machine) => machine.sockets.filter((socket) => socket.kind === 'client' || socket.kind === 'server').map((socket) => socket.envVariable)));
    return file(expandToNode`
        ${generatedHeader(
            'The program: runs every top-level machine until all have finished. Options: --trace (text on stdout), --trace=json (NDJSON on stderr), --clock=manual (time moves by `advance MS` lines on stdin), --inspect-fsm[=PORT] (the live trace for a debugger on 127.0.0.1, port 9339 by default; 0: any).',
            project
        )}
        ${MAIN_FILE_IMPORTS.runtime.importLine((name) => !WORKERS_ONLY.has(name) || project.workers !== undefined)}
        ${eachLine(project.machines, (machine) => expandToNode`
            ${machine.isSession ? undefined : `import { ${machine.className} } from './${machine.fileBase}.machine.js';`}
            import { ${machine.actionsConst} } from './${machine.fileBase}.actions.js';
        `)}

        ${onlyIf(variables.size > 0, () => expandToNode`
            const badAddress = checkAddressOverrides([${[...variables].map((variable) => JSON.stringify(variable)).join(', ')}]);
            if (badAddress !== undefined) {
                process.stderr.write(\`\${badAddress}\\n\`);
                process.exit(2);
            }
        `)}
        const badInspector = checkInspectorOption();
        if (badInspector !== undefined) {
            process.stderr.write(\`\${badInspector}\\n\`);
            process.exit(2);
        }
        ${project.workers === undefined ? program(project) : onlyIf(project.workers, (workers) => workersProgram(project, workers))}
    `);
}

/** One process runs every top-level machine until all have finished. */
function program(project: ProjectView): Generated {
    return expandToNode`
        const clock = process.argv.includes('--clock=manual') ? new ManualClock() : new RealClock();
        // --inspect-fsm: listening before any machine starts (exit status 1 when it cannot); nothing without it.
        const inspector = await startInspector(clock);
        const reactor = new Reactor({ clock, observers: [...traceObservers(traceFormat(), clock), ...(inspector?.observers ?? [])] });
        ${eachLine(project.topLevel, (machine) => `reactor.add(new ${machine.className}(${constructorArguments(machine)}));`)}

        const stopReading = clock instanceof ManualClock ? driveManualClock(clock) : undefined;
        process.exitCode = await reactor.run();
        stopReading?.();
        await inspector?.close();
    `;
}

/** `workers N`: the same program in each of N worker processes, under a primary that runs no machine. */
function workersProgram(project: ProjectView, workers: number | 'auto'): Generated {
    const listeners = project.topLevel.flatMap((machine) => machine.sockets.filter((socket): socket is ServerSocketView => socket.kind === 'server'));
    // The first line left empty: a blank line after the address check.
    return expandToNode`

        /** Runs every top-level machine until all have finished; resolves with the exit status. */
        async function runProgram(): Promise<number> {
            const clock = process.argv.includes('--clock=manual') ? new ManualClock() : new RealClock();
            // --inspect-fsm: worker N listens on PORT + N - 1 (each on a port of its own for 0), before its machines start.
            const inspector = await startInspector(clock, { portPerWorker: true });
            const reactor = new Reactor({ clock, observers: [...traceObservers(traceFormat(), clock), ...(inspector?.observers ?? [])] });
            ${eachLine(project.topLevel, (machine) => `reactor.add(new ${machine.className}(${constructorArguments(machine)}));`)}

            const stopReading = clock instanceof ManualClock ? driveManualClock(clock) : undefined;
            const status = await reactor.run();
            stopReading?.();
            await inspector?.close();
            return status;
        }

        // \`workers ${String(workers)}\`: ${workers === 'auto' ? 'one worker process per core' : `${workers} worker process${workers === 1 ? '' : 'es'}`} (REACTOR_WORKERS overrides), each running every machine; --clock=manual runs one process.
        // Socket files a program that died left at its Unix paths are removed once, by the primary, before the workers share them.
        const beforeStart = () => removeStaleSockets([${listeners.map(addressFromEnvCall).join(', ')}]);
        process.exitCode = process.argv.includes('--clock=manual') ? await runProgram() : await runWorkers(${workers === 'auto' ? "'auto'" : String(workers)}, runProgram, { beforeStart });
    `;
}

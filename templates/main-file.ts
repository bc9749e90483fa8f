// Template: the runnable scaffold — one reactor, the top-level machines, tracing and the manual clock on request.
import { ExternalModule, file, generatedHeader, indent } from './code.js';
import type { ProjectView } from './view.js';

/** What main.ts imports from the runtime (see ExternalModule). */
export const MAIN_FILE_IMPORTS = {
    runtime: new ExternalModule('./runtime/index.js', ['ManualClock', 'RealClock', 'Reactor', 'checkAddressOverrides', 'driveManualClock', 'traceFormat', 'traceObservers'])
};

export function mainFile(project: ProjectView): string {
    const imports = project.machines.flatMap((machine) => [
        ...(machine.isSession ? [] : [`import { ${machine.className} } from './${machine.fileBase}.machine.js';`]),
        `import { ${machine.actionsConst} } from './${machine.fileBase}.actions.js';`
    ]);
    const construct = project.topLevel.map((machine) => {
        const args = ['reactor', machine.actionsConst];
        if (machine.runsServers) {
            args.push(`{ ${machine.sessionMachines.map((session) => `${session.className}: ${session.actionsConst}`).join(', ')} }`);
        }
        return `reactor.add(new ${machine.className}(${args.join(', ')}));`;
    });
    // Every address the environment may override, sessions' sockets included: checked before anything starts.
    const variables = project.machines.flatMap((machine) => machine.sockets.filter((socket) => socket.kind !== 'connection').map((socket) => socket.envVariable));
    return file([
        ...generatedHeader(
            'The program: runs every top-level machine until all have finished. Options: --trace (text on stdout), --trace=json (NDJSON on stderr), --clock=manual (time moves by `advance MS` lines on stdin).',
            project.sourceFile
        ),
        MAIN_FILE_IMPORTS.runtime.importLine()!,
        ...imports,
        '',
        ...(variables.length > 0
            ? [
                  `const badAddress = checkAddressOverrides([${[...new Set(variables)].map((variable) => JSON.stringify(variable)).join(', ')}]);`,
                  'if (badAddress !== undefined) {',
                  ...indent(['process.stderr.write(`${badAddress}\\n`);', 'process.exit(2);']),
                  '}'
              ]
            : []),
        `const clock = process.argv.includes('--clock=manual') ? new ManualClock() : new RealClock();`,
        'const reactor = new Reactor({ clock, observers: traceObservers(traceFormat(), clock) });',
        ...construct,
        '',
        'const stopReading = clock instanceof ManualClock ? driveManualClock(clock) : undefined;',
        'process.exitCode = await reactor.run();',
        'stopReading?.();'
    ]);
}

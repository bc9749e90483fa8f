// Template: the runnable scaffold — one reactor, the top-level machines, tracing on request.
import type { ProjectView } from '../language/generator/project-view.js';
import { file, generatedHeader } from './code.js';

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
    return file([
        ...generatedHeader('The program: runs every top-level machine until all have finished. Run with --trace to see transitions.', project.sourceFile),
        `import { Reactor, traceObserver } from './runtime/index.js';`,
        ...imports,
        '',
        `const trace = process.argv.includes('--trace') || process.env.REACTOR_TRACE === '1';`,
        'const reactor = new Reactor({ observers: trace ? [traceObserver()] : [] });',
        ...construct,
        '',
        'process.exitCode = await reactor.run();'
    ]);
}

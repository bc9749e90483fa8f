// Builds the load suite's generated programs with test/runtime/program-helpers.ts (used as is): the models and
// hand-written actions live in this folder, so their paths are given relative to the runtime fixtures folder.
import * as path from 'node:path';
import { FIXTURES, buildProgram } from '../../runtime/program-helpers.js';

export const LOAD_FIXTURES = import.meta.dirname;

/** The generated echo server (EchoServer + EchoSession) with this folder's actions, compiled. */
export function buildEchoServer(): Promise<string> {
    return buildProgram(path.join(LOAD_FIXTURES, 'load-echo.fsm'), {
        [fixture('echo-server.actions.ts.txt')]: 'echo-server.actions.ts',
        [fixture('echo-session.actions.ts.txt')]: 'echo-session.actions.ts'
    });
}

/** The generated restarting client (RestartClient) with this folder's actions, compiled. */
export function buildRestartClient(): Promise<string> {
    return buildProgram(path.join(LOAD_FIXTURES, 'restart-client.fsm'), {
        [fixture('restart-client.actions.ts.txt')]: 'restart-client.actions.ts'
    });
}

function fixture(name: string): string {
    return path.relative(FIXTURES, path.join(LOAD_FIXTURES, name));
}

// The debug adapter (Debug Adapter Protocol): runs a model in the interpreter under VS Code's debugger. Threads are
// machine instances, the stack is the active state (and its parents), stepping moves through the run's points.
import * as path from 'node:path';
import { ContinuedEvent, DebugSession, Event, InitializedEvent, OutputEvent, Scope, StoppedEvent, TerminatedEvent, Thread, Variable } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { traceText } from '../../templates/runtime/trace-format.js';
import type { ScenarioStep } from '../semantics/scenario.js';
import { BreakableLines } from './breakpoints.js';
import { BreakpointSet } from './breakpoint-set.js';
import { completeConsoleLine, CONSOLE_HELP, parseConsoleLine } from './console-commands.js';
import { DebugRun, type Point, type Stop, type StopReason, type StopTest } from './debug-run.js';
import { liveBody } from './live-view.js';
import { SCOPES, scopeVariables, stackFrames, watchValue } from './run-views.js';
import { LaunchError, loadProgram, loadScript } from './load-program.js';
import { AttachMode, type AttachArguments } from './attach-mode.js';
import type { InstanceView } from './snapshot.js';

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
    /** The .fsm file. */
    program: string;
    /** Other .fsm files simulated together with `program`, as one system (what Replay in debugger sets). */
    files?: string[];
    /** The top-level machine plain steps are for (default: the first). */
    machine?: string;
    /** A scenario file whose steps run first. */
    script?: string;
    stopOnEntry?: boolean;
}

/** A launch configuration's `files`: a list of non-empty paths. */
function isPathList(value: unknown): value is string[] {
    return Array.isArray(value) && value.every((each) => typeof each === 'string' && each !== '');
}

/** The inspector's port when the attach configuration gives none (the generated program's `--inspect-fsm` default). */
const DEFAULT_INSPECT_PORT = 9339;

const STOP_TEXT: Readonly<Record<StopReason, { reason: string; description: string }>> = {
    entry: { reason: 'entry', description: 'Paused on start' },
    step: { reason: 'step', description: 'Paused after a step' },
    breakpoint: { reason: 'breakpoint', description: 'Paused on breakpoint' },
    exception: { reason: 'exception', description: 'Paused on a step the model does not allow' },
    idle: { reason: 'pause', description: 'Waiting for input: type a step in the Debug Console (send E, advance 2s, …)' },
    ended: { reason: 'pause', description: 'The program has ended' },
    start: { reason: 'step', description: 'At the start of the run' }
};

export class ReactorFsmDebugSession extends DebugSession {
    private run: DebugRun | undefined;
    private lines: BreakableLines | undefined;
    /** Set once the model is loaded. */
    private breakpoints: BreakpointSet | undefined;
    private readonly modelReady: Promise<void>;
    private settleModel!: () => void;
    private readonly configured: Promise<void>;
    private settleConfiguration!: () => void;
    /** Set while attached to a running program (instead of `run`). */
    private attached: AttachMode | undefined;

    constructor() {
        super();
        this.setDebuggerLinesStartAt1(true);
        this.setDebuggerColumnsStartAt1(true);
        this.modelReady = new Promise((resolve) => (this.settleModel = resolve));
        this.configured = new Promise((resolve) => (this.settleConfiguration = resolve));
    }

    protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
        response.body = {
            ...response.body,
            supportsConfigurationDoneRequest: true,
            supportsStepBack: true,
            supportsConditionalBreakpoints: true,
            supportsBreakpointLocationsRequest: true,
            supportsCompletionsRequest: true,
            completionTriggerCharacters: [' ', '.'],
            supportsTerminateRequest: true,
            supportsEvaluateForHovers: false
        };
        this.sendResponse(response);
        this.sendEvent(new InitializedEvent());
    }

    protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
        this.settleConfiguration();
        this.sendResponse(response);
    }

    protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
        void this.launch(response, args);
    }

    private async launch(response: DebugProtocol.LaunchResponse, args: LaunchArguments): Promise<void> {
        try {
            if (typeof args.program !== 'string' || args.program === '') {
                throw new LaunchError(`the launch configuration needs "program": the .fsm file to simulate`);
            }
            for (const [name, value] of [['machine', args.machine], ['script', args.script]] as const) {
                if (value !== undefined && typeof value !== 'string') {
                    throw new LaunchError(`"${name}" in the launch configuration must be a string (${name === 'machine' ? 'a top-level machine of the file' : 'the path of a scenario file'})`);
                }
            }
            if (args.stopOnEntry !== undefined && typeof args.stopOnEntry !== 'boolean') {
                throw new LaunchError(`"stopOnEntry" in the launch configuration must be true or false`);
            }
            const files: unknown = args.files === undefined ? [] : args.files;
            if (!isPathList(files)) {
                throw new LaunchError(`"files" in the launch configuration must be a list of .fsm file paths (the other files simulated with "program")`);
            }
            const program = await loadProgram(args.program, files);
            this.lines = new BreakableLines(program);
            this.breakpoints = new BreakpointSet(this.lines, false);
            const script = args.script ? await loadScript(args.script) : [];
            this.run = new DebugRun(program, { machine: args.machine, script });
        } catch (error) {
            this.settleModel();
            const message = error instanceof Error ? error.message : String(error);
            this.output(`${message}\n`, 'stderr');
            this.sendErrorResponse(response, 1, message.split('\n').at(-1) ?? message);
            return;
        }
        this.settleModel();
        await this.configured;
        this.sendResponse(response);
        this.output(`Simulating ${this.run.underTest} of ${path.basename(args.program)} on a virtual clock. Type 'help' in the Debug Console for the commands.\n`, 'console');
        this.printTrace();
        if (args.stopOnEntry === true) {
            this.stopped({ reason: 'entry', point: this.run.point, index: this.run.cursor });
        } else {
            this.move((run) => run.forward(this.breakpointTest()));
        }
    }

    protected override attachRequest(response: DebugProtocol.AttachResponse, args: AttachArguments): void {
        void this.attach(response, args);
    }

    private async attach(response: DebugProtocol.AttachResponse, args: AttachArguments): Promise<void> {
        try {
            if (typeof args.program !== 'string' || args.program === '') {
                throw new LaunchError(`the attach configuration needs "program": the .fsm file the running program was generated from`);
            }
            const program = await loadProgram(args.program);
            this.lines = new BreakableLines(program);
            this.attached = new AttachMode(
                program,
                (event) => this.sendEvent(event),
                () => this.end()
            );
            const greeting = await this.attached.attach(args.port ?? DEFAULT_INSPECT_PORT);
            // Only now: a breakpoint set earlier (while connecting) waits for the connection to tell the program.
            this.breakpoints = new BreakpointSet(this.lines, true);
            this.output(`${greeting}\n`, 'console');
        } catch (error) {
            this.attached = undefined;
            this.settleModel();
            const message = error instanceof Error ? error.message : String(error);
            this.output(`${message}\n`, 'stderr');
            this.sendErrorResponse(response, 1, message.split('\n').at(-1) ?? message);
            return;
        }
        this.settleModel();
        await this.configured;
        this.sendResponse(response);
    }

    /** What the Debug Console, stepping and Send Event answer while attached: they need the simulation. */
    private notWhileAttached(response: DebugProtocol.Response, what: string): boolean {
        if (!this.attached) {
            return false;
        }
        this.sendErrorResponse(response, 7, `${what} works in a simulation (Simulate); attached to a running program the debugger continues, pauses and stops on state breakpoints`);
        return true;
    }

    // ---- breakpoints -------------------------------------------------------------------------------------------

    protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
        // Answered in order with the requests after it once the model is loaded (a continue right behind it sees them).
        if (this.breakpoints) {
            this.setBreakpoints(response, args);
        } else {
            void this.modelReady.then(() => this.setBreakpoints(response, args));
        }
    }

    private setBreakpoints(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
        const file = args.source.path ?? '';
        const requested = args.breakpoints ?? [];
        if (!this.breakpoints) {
            response.body = { breakpoints: requested.map((wanted) => ({ verified: false, line: wanted.line, message: 'the model could not be loaded' })) };
            this.sendResponse(response);
            return;
        }
        response.body = { breakpoints: this.breakpoints.set(file, requested) };
        this.attached?.breakOn(this.breakpoints.statesByMachine());
        this.sendResponse(response);
    }

    protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
        void this.modelReady.then(() => this.breakpointLocations(response, args));
    }

    private breakpointLocations(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
        const lines = this.lines?.linesIn(args.source.path ?? '', args.line, args.endLine ?? args.line) ?? [];
        response.body = { breakpoints: lines.map((line) => ({ line })) };
        this.sendResponse(response);
    }

    private breakpointTest(also?: (point: Point) => boolean): StopTest {
        return (point) => ((this.breakpoints?.hits(point).length ?? 0) > 0 ? 'breakpoint' : also?.(point) ? 'step' : undefined);
    }

    // ---- running -----------------------------------------------------------------------------------------------

    protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
        response.body = { allThreadsContinued: true };
        this.sendResponse(response);
        if (this.attached) {
            this.attached.resume(undefined);
            return;
        }
        this.move((run) => run.forward(this.breakpointTest()));
    }

    /** One event run to completion: to the next event taken from a queue, or until the input has settled. */
    protected override nextRequest(response: DebugProtocol.NextResponse): void {
        if (this.notWhileAttached(response, 'Stepping')) {
            return;
        }
        this.sendResponse(response);
        this.move((run) => run.forward(this.breakpointTest((point) => point.kind === 'deliver' || point.kind === 'settled')));
    }

    /** One action (or any other point: a transition chosen, a state entered, a socket occurrence). */
    protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
        if (this.notWhileAttached(response, 'Stepping')) {
            return;
        }
        this.sendResponse(response);
        this.move((run) => run.forward(this.breakpointTest(() => true)));
    }

    /** To the end of the current input (a scenario step or Debug Console command). */
    protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
        if (this.notWhileAttached(response, 'Stepping')) {
            return;
        }
        this.sendResponse(response);
        this.move((run) => run.forward(this.breakpointTest((point) => point.kind === 'settled')));
    }

    protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
        if (this.notWhileAttached(response, 'Stepping back')) {
            return;
        }
        this.sendResponse(response);
        this.move((run) => run.backward((point) => (point.kind === 'deliver' || point.kind === 'settled' ? 'step' : undefined)), false);
    }

    protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
        if (this.notWhileAttached(response, 'Reverse continue')) {
            return;
        }
        this.sendResponse(response);
        this.move((run) => run.backward(this.breakpointTest()), false);
    }

    protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
        // A simulation runs every step to its stop at once: it is never between stops when a request comes.
        this.sendResponse(response);
        this.attached?.pause(args.threadId);
    }

    /** Moves the run's cursor, prints the trace lines passed (forward only), and reports the stop. */
    private move(how: (run: DebugRun) => Stop, forward = true): void {
        const run = this.run;
        if (!run) {
            return;
        }
        let stop = how(run);
        const failed = stop.reason === 'exception' ? run.inputNumbered(stop.point.input) : undefined;
        if (forward && failed?.interactive && stop.point.input === run.lastInput) {
            // A command that stopped at a breakpoint first and then turned out not to be allowed: undone, like one
            // that fails at once (the run is as it was before it).
            this.printTrace();
            this.output(`${stop.point.problem ?? ''}\n'${failed.text}' was undone: the run is as it was before it.\n`, 'stderr');
            run.undoLast();
            this.printTrace();
            stop = { reason: run.ended ? 'ended' : 'idle', point: run.point, index: run.cursor };
            this.stopped(stop);
            return;
        }
        if (forward) {
            this.printTrace();
        } else {
            const oldest = stop.reason === 'start' && run.dropped > 0 ? ` (the oldest point kept: ${run.dropped} earlier ones were let go to bound memory)` : '';
            this.output(`⟲ back to ${stop.point.snapshot.t} ms: ${stop.point.instance ? `${stop.point.instance} ` : ''}${stop.point.label}${oldest}\n`, 'console');
        }
        this.stopped(stop);
    }

    /** Prints the trace lines the run passed that were not printed yet. */
    private printTrace(): void {
        for (const line of this.run?.newTrace() ?? []) {
            this.output(`${traceText(line)}\n`, 'stdout');
        }
    }

    private stopped(stop: Stop): void {
        const run = this.run!;
        const text = STOP_TEXT[stop.reason];
        const threadId = this.threadOf(stop.point);
        const event: DebugProtocol.StoppedEvent = new StoppedEvent(text.reason, threadId, stop.point.problem);
        event.body.description = stop.point.problem ?? (stop.reason === 'ended' && stop.point.snapshot.exitCode !== undefined ? `${text.description} (exit status ${stop.point.snapshot.exitCode})` : text.description);
        event.body.text = stop.point.problem;
        event.body.allThreadsStopped = true;
        const hits = this.breakpoints?.hits(stop.point) ?? [];
        if (stop.reason === 'breakpoint' && hits.length > 0) {
            event.body.hitBreakpointIds = hits;
        }
        if (stop.point.problem) {
            this.output(`${stop.point.problem}\n`, 'stderr');
        } else if (stop.reason === 'ended') {
            this.output(`The program has ended${stop.point.snapshot.exitCode !== undefined ? ` with exit status ${stop.point.snapshot.exitCode}: ${stop.point.snapshot.exitReason ?? ''}` : ''}. Step back to look at earlier points, or stop the session.\n`, 'console');
        }
        this.sendEvent(event);
        this.sendEvent(new Event('reactorFsm.live', liveBody(run.program, stop.point.snapshot)));
    }

    /** The thread a point concerns (the first instance when it concerns none). */
    private threadOf(point: Point): number {
        const index = point.snapshot.instances.findIndex((instance) => instance.name === point.instance);
        return index >= 0 ? index + 1 : 1;
    }

    // ---- threads, stack, variables -----------------------------------------------------------------------------

    private instanceOf(threadId: number): InstanceView | undefined {
        return this.run?.point.snapshot.instances[threadId - 1];
    }

    protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
        if (this.attached) {
            response.body = { threads: this.attached.threads() };
            this.sendResponse(response);
            return;
        }
        const instances = this.run?.point.snapshot.instances ?? [];
        response.body = {
            threads: instances.length > 0 ? instances.map((instance, index) => new Thread(index + 1, `${instance.name}${instance.finished ? ' (finished)' : ''}`)) : [new Thread(1, 'starting')]
        };
        this.sendResponse(response);
    }

    protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
        if (this.attached) {
            const frames = this.attached.stack(args.threadId);
            response.body = { stackFrames: frames, totalFrames: frames.length };
            this.sendResponse(response);
            return;
        }
        const instance = this.instanceOf(args.threadId);
        const frames = this.run && instance ? stackFrames(this.run.point, instance, args.threadId) : [];
        const start = args.startFrame ?? 0;
        const count = args.levels && args.levels > 0 ? args.levels : frames.length;
        response.body = { stackFrames: frames.slice(start, start + count), totalFrames: frames.length };
        this.sendResponse(response);
    }

    protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
        const threadId = Math.floor(args.frameId / 10_000);
        if (this.attached) {
            response.body = { scopes: [new Scope('Machine', threadId * 10 + 1, false)] };
            this.sendResponse(response);
            return;
        }
        response.body = { scopes: SCOPES.map((name, index) => new Scope(name, threadId * 10 + index + 1, false)) };
        this.sendResponse(response);
    }

    protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
        const reference = args.variablesReference;
        const threadId = Math.floor(reference / 10);
        if (this.attached) {
            response.body = { variables: this.attached.variables(threadId).map((variable) => new Variable(variable.name, variable.value)) };
            this.sendResponse(response);
            return;
        }
        const scope = SCOPES[(reference % 10) - 1];
        const instance = this.instanceOf(threadId);
        const snapshot = this.run?.point.snapshot;
        response.body = { variables: instance && snapshot && scope ? scopeVariables(scope, instance, snapshot.t, snapshot.guards) : [] };
        this.sendResponse(response);
    }

    // ---- the Debug Console -------------------------------------------------------------------------------------

    protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
        if (this.notWhileAttached(response, 'The Debug Console')) {
            return;
        }
        const run = this.run;
        if (!run) {
            this.sendErrorResponse(response, 2, 'no model is running');
            return;
        }
        if (args.context !== 'repl') {
            const instance = this.instanceOf(args.frameId === undefined ? 1 : Math.floor(args.frameId / 10_000));
            const value = instance && watchValue(args.expression, instance, run.point.snapshot);
            if (value === undefined) {
                this.sendErrorResponse(response, 3, `'${args.expression}' is not state, payload, time, a socket or a guard`);
            } else {
                response.body = { result: value, variablesReference: 0 };
                this.sendResponse(response);
            }
            return;
        }
        const line = parseConsoleLine(args.expression);
        if (line.kind === 'help') {
            response.body = { result: CONSOLE_HELP, variablesReference: 0 };
            this.sendResponse(response);
            return;
        }
        if (line.kind === 'error') {
            this.sendErrorResponse(response, 4, line.message);
            return;
        }
        this.runCommand(response, line.step, args.expression.trim());
    }

    /** Runs a Debug Console step now, to its end or a breakpoint; a step the model does not allow is the answer's error. */
    private runCommand(response: DebugProtocol.Response, step: ScenarioStep, text: string): void {
        const run = this.run!;
        // The run moves on: VS Code forgets the last stop (its description) and takes the next one.
        this.sendEvent(new ContinuedEvent(this.threadOf(run.point), true));
        const stop = run.inject({ step, text, origin: `'${text}'`, interactive: true }, this.breakpointTest());
        if (stop.point.problem !== undefined && stop.point.input === run.lastInjected) {
            // The command was not allowed: the answer says why; the run is as it was before the command.
            run.undoLast();
            this.printTrace();
            this.sendErrorResponse(response, 5, stop.point.problem);
            this.stopped({ reason: 'idle', point: run.point, index: run.cursor });
            return;
        }
        this.printTrace();
        response.body = { result: stop.reason === 'breakpoint' ? `${text}: stopped at a breakpoint` : `${text}: done at ${stop.point.snapshot.t} ms`, variablesReference: 0 };
        this.sendResponse(response);
        // A command that ran to its end with nothing after it: the run waits for input again (or has ended).
        const settled = stop.reason === 'step' && run.atEnd && run.pendingInputs.length === 0;
        this.stopped(settled ? { ...stop, reason: run.ended ? 'ended' : 'idle' } : stop);
    }

    protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
        const run = this.run;
        const instances = run?.point.snapshot.instances.filter((instance) => instance.name.includes('#')).map((instance) => instance.name) ?? [];
        const column = args.column - 1;
        const targets = run ? completeConsoleLine(run.program, run.underTest, instances, args.text, column) : [];
        response.body = { targets: targets.map((target) => ({ label: target.label, start: target.start, length: target.length })) };
        this.sendResponse(response);
    }

    // ---- requests of the extension (Send Event, the diagram) ---------------------------------------------------

    protected override customRequest(command: string, response: DebugProtocol.Response, args: { threadId?: number; event?: string; payload?: unknown }): void {
        if ((command === 'reactorFsm/events' || command === 'reactorFsm/send') && this.notWhileAttached(response, 'Send Event')) {
            return;
        }
        const run = this.run;
        if (!run) {
            this.sendErrorResponse(response, 2, 'no model is running');
            return;
        }
        const instance = this.instanceOf(args?.threadId ?? 1) ?? run.point.snapshot.instances.find((candidate) => candidate.name === run.underTest);
        if (command === 'reactorFsm/events') {
            const spec = instance ? run.program.machines.get(instance.machine) : undefined;
            response.body = { instance: instance?.name, events: (spec?.events ?? []).map((name) => ({ name, type: spec?.payloadTypes.get(name) })) };
            this.sendResponse(response);
            return;
        }
        if (command === 'reactorFsm/send') {
            if (!instance || typeof args.event !== 'string') {
                this.sendErrorResponse(response, 6, 'reactorFsm/send needs a threadId of a running instance and an event');
                return;
            }
            const step: ScenarioStep = { kind: 'send', target: { kind: 'named', instance: instance.name }, event: args.event, payload: args.payload, line: 0 };
            const text = `${instance.name} send ${args.event}${args.payload === undefined ? '' : ` ${JSON.stringify(args.payload)}`}`;
            this.output(`> ${text}\n`, 'console');
            this.runCommand(response, step, text);
            return;
        }
        super.customRequest(command, response, args);
    }

    // ---- the end -----------------------------------------------------------------------------------------------

    protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
        this.sendResponse(response);
        this.end();
    }

    protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
        this.sendResponse(response);
        this.end();
    }

    private ended = false;

    private end(): void {
        if (this.ended) {
            return;
        }
        this.ended = true;
        this.attached?.close();
        this.sendEvent(new Event('reactorFsm.liveEnd', {}));
        this.sendEvent(new TerminatedEvent());
    }

    private output(text: string, category: 'console' | 'stdout' | 'stderr'): void {
        this.sendEvent(new OutputEvent(text, category));
    }
}

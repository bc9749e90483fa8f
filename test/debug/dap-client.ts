// A Debug Adapter Protocol client over stdio for tests: starts `node out/debug-adapter.cjs` as VS Code does, sends
// requests, and waits for responses and events (every wait bounded).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';

const ADAPTER = path.resolve(import.meta.dirname, '../../out/debug-adapter.cjs');
const WAIT_MS = 10_000;

export class DapClient {
    readonly events: DebugProtocol.Event[] = [];
    private readonly child: ChildProcessWithoutNullStreams;
    private buffer = Buffer.alloc(0);
    private sequence = 1;
    private readonly waiting = new Map<number, (response: DebugProtocol.Response) => void>();
    private readonly watchers: Array<() => void> = [];
    stderr = '';
    exited: number | null | undefined;

    constructor() {
        this.child = spawn(process.execPath, [ADAPTER], { stdio: 'pipe' });
        this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
        this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
        this.child.on('exit', (code) => {
            this.exited = code;
            this.notify();
        });
    }

    private receive(chunk: Buffer): void {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        for (;;) {
            const headerEnd = this.buffer.indexOf('\r\n\r\n');
            if (headerEnd < 0) {
                return;
            }
            const length = Number(/Content-Length: *([0-9]+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
            if (this.buffer.length < headerEnd + 4 + length) {
                return;
            }
            const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as DebugProtocol.ProtocolMessage;
            this.buffer = this.buffer.subarray(headerEnd + 4 + length);
            if (message.type === 'response') {
                const response = message as DebugProtocol.Response;
                this.waiting.get(response.request_seq)?.(response);
                this.waiting.delete(response.request_seq);
            } else if (message.type === 'event') {
                this.events.push(message as DebugProtocol.Event);
                this.notify();
            }
        }
    }

    private notify(): void {
        for (const watcher of [...this.watchers]) {
            watcher();
        }
    }

    /** Sends a request; resolves with the response (success or not). */
    request<T extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: object): Promise<T> {
        const seq = this.sequence++;
        const text = JSON.stringify({ seq, type: 'request', command, arguments: args });
        this.child.stdin.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no response to '${command}' within ${WAIT_MS} ms; stderr: ${this.stderr}`)), WAIT_MS);
            this.waiting.set(seq, (response) => {
                clearTimeout(timer);
                resolve(response as T);
            });
        });
    }

    /** A request that must succeed: its body. */
    async ok<T extends DebugProtocol.Response>(command: string, args?: object): Promise<NonNullable<T['body']>> {
        const response = await this.request<T>(command, args);
        if (!response.success) {
            throw new Error(`'${command}' failed: ${response.message}`);
        }
        return response.body as NonNullable<T['body']>;
    }

    /** Waits for the `count`-th event named `name` (1 = the first ever), however long ago it came. */
    event<T extends DebugProtocol.Event = DebugProtocol.Event>(name: string, count = 1): Promise<T> {
        return new Promise((resolve, reject) => {
            const check = (): boolean => {
                const found = this.events.filter((event) => event.event === name)[count - 1];
                if (found) {
                    resolve(found as T);
                    return true;
                }
                return false;
            };
            if (check()) {
                return;
            }
            const timer = setTimeout(() => {
                this.watchers.splice(this.watchers.indexOf(watcher), 1);
                reject(new Error(`no event '${name}' #${count} within ${WAIT_MS} ms; events: ${this.events.map((event) => event.event).join(', ')}; stderr: ${this.stderr}`));
            }, WAIT_MS);
            const watcher = (): void => {
                if (check()) {
                    clearTimeout(timer);
                    this.watchers.splice(this.watchers.indexOf(watcher), 1);
                }
            };
            this.watchers.push(watcher);
        });
    }

    count(name: string): number {
        return this.events.filter((event) => event.event === name).length;
    }

    /** Runs `action` and waits for the stop it causes. */
    async stopAfter(action: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
        const next = this.count('stopped') + 1;
        await action();
        return this.event<DebugProtocol.StoppedEvent>('stopped', next);
    }

    /** Everything the adapter printed (output events) so far. */
    output(category?: string): string {
        return this.events
            .filter((event) => event.event === 'output' && (category === undefined || (event as DebugProtocol.OutputEvent).body.category === category))
            .map((event) => (event as DebugProtocol.OutputEvent).body.output)
            .join('');
    }

    /** initialize, launch with `args`, the breakpoints, configurationDone; resolves with the first stop. */
    async launch(args: object, breakpoints: Record<string, Array<number | { line: number; condition?: string }>> = {}): Promise<DebugProtocol.StoppedEvent> {
        await this.ok('initialize', { adapterID: 'reactor-fsm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        const launched = this.request('launch', args);
        await this.event('initialized');
        for (const [file, lines] of Object.entries(breakpoints)) {
            await this.ok('setBreakpoints', { source: { path: file }, breakpoints: lines.map((line) => (typeof line === 'number' ? { line } : line)) });
        }
        await this.ok('configurationDone');
        const response = await launched;
        if (!response.success) {
            throw new Error(`launch failed: ${response.message}`);
        }
        return this.event<DebugProtocol.StoppedEvent>('stopped', this.count('stopped') > 0 ? this.count('stopped') : 1);
    }

    /** The top frame of `threadId` and the stack's frame names. */
    async stack(threadId: number): Promise<DebugProtocol.StackFrame[]> {
        const body = await this.ok<DebugProtocol.StackTraceResponse>('stackTrace', { threadId });
        return body.stackFrames;
    }

    async close(): Promise<void> {
        if (this.exited === undefined) {
            await this.request('disconnect', {}).catch(() => undefined);
            this.child.stdin.end();
            await new Promise<void>((resolve) => {
                const timer = setTimeout(() => {
                    this.child.kill('SIGKILL');
                    resolve();
                }, 3_000);
                this.child.once('exit', () => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
    }
}

// The trace format shared by the interpreter (`reactor-fsm simulate`) and generated programs (`--trace`, `--trace=json`).

/** Where an action runs: leaving a state, on the transition, entering a state, or at a socket's heartbeat. */
export type ActionPhase = 'entry' | 'exit' | 'transition' | 'heartbeat';

/** Socket occurrences, as Node reports them, before they become the mapped machine events. */
export type IoWhat = 'connect' | 'data' | 'drain' | 'error' | 'close' | 'timeout' | 'idle' | 'heartbeat-lost' | 'accept' | 'exit';

interface TraceBase {
    /** Milliseconds since the start: virtual in the interpreter, real (or the manual clock's) in programs. */
    t: number;
    /** `Name`, or `Name#N` for the N-th session of machine `Name` (numbered over every server that runs it). */
    machine: string;
}

export type TraceLine =
    | (TraceBase & { kind: 'start'; state: string })
    | (TraceBase & { kind: 'transition'; from: string; event: string; to: string })
    /** Machines with composite states only: a state (or region) is left, before its exit actions; innermost first. */
    | (TraceBase & { kind: 'exit'; state: string })
    /** Machines with composite states only: a state (or region) is entered, before its entry actions; outermost first. */
    | (TraceBase & { kind: 'enter'; state: string })
    | (TraceBase & { kind: 'internal'; state: string; event: string })
    | (TraceBase & { kind: 'action'; name: string; state: string; phase: ActionPhase })
    | (TraceBase & { kind: 'unhandled'; state: string; event: string })
    | (TraceBase & { kind: 'finish'; state: string })
    | (TraceBase & {
          kind: 'io';
          socket: string;
          what: IoWhat;
          /** `data`: bytes received. */
          bytes?: number;
          /** `error`: the error's code (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `EADDRINUSE`, …). */
          code?: string;
          /** `close`: true when the socket closed because of an error. */
          hadError?: boolean;
          /** `accept`: the session instance that now owns the connection. */
          session?: string;
          /** `exit` (processes): the exit status; 128 + the signal's number when a signal ended the process. */
          status?: number;
      });

export type TraceKind = TraceLine['kind'];

/** One trace line as JSON text, fields in a fixed order (`t`, `kind`, `machine`, then the kind's own). */
export function traceJson(line: TraceLine): string {
    return JSON.stringify(line);
}

/** One trace line as text for people: `   12 ms  EchoClient  Connecting --Connected--> Online`. */
export function traceText(line: TraceLine): string {
    const head = `${String(line.t).padStart(6)} ms  ${line.machine}  `;
    switch (line.kind) {
        case 'start':
            return `${head}starts in ${line.state}`;
        case 'transition':
            return `${head}${line.from} --${line.event}--> ${line.to}`;
        case 'exit':
            return `${head}leaves ${line.state}`;
        case 'enter':
            return `${head}enters ${line.state}`;
        case 'internal':
            return `${head}${line.state}: ${line.event} (internal)`;
        case 'action':
            return `${head}  ${line.phase === 'transition' ? '/' : line.phase === 'heartbeat' ? '' : `${line.phase} `}${line.phase === 'transition' ? ' ' : ''}${line.name}`;
        case 'unhandled':
            return `${head}${line.state}: ${line.event} ignored`;
        case 'finish':
            return `${head}finished in ${line.state}`;
        case 'io':
            return `${head}${line.socket}: ${ioDetail(line)}`;
    }
}

function ioDetail(line: Extract<TraceLine, { kind: 'io' }>): string {
    switch (line.what) {
        case 'data':
            return `data (${line.bytes ?? 0} bytes)`;
        case 'error':
            return `error ${line.code ?? ''}`.trimEnd();
        case 'close':
            return line.hadError ? 'close (after an error)' : 'close';
        case 'accept':
            return `accept ${line.session ?? ''}`.trimEnd();
        case 'exit':
            return `exit ${line.status ?? ''}`.trimEnd();
        default:
            return line.what;
    }
}

// What each keyword does, with an example: one table for hover and completion, keyed by the rule it appears in.
import { AstUtils, GrammarAST } from 'langium';

export interface KeywordDoc {
    summary: string;
    example: string;
}

/** Keys are `Rule:word` for words whose meaning depends on the rule, else the word alone. */
const DOCS: Record<string, KeywordDoc> = {
    machine: { summary: 'Declares a state machine: its events, states, socket handlers and signals.', example: 'machine EchoClient {\n    events Connected\n    initial state Connecting { on Connected -> Online }\n    final state Online\n}' },
    events: { summary: 'Declares events, separated by commas. Every event a transition, socket or signal names must be declared.', example: 'events Connected, Data, Closed' },
    initial: { summary: 'Marks the state the machine starts in. A machine has exactly one, and so has every composite state and region: the child entered with it.', example: 'initial state Connecting { … }' },
    final: { summary: 'Marks a state where the machine finishes: its timers stop and its sockets close gracefully. A final state has no transitions. Inside a composite state or region it completes its parent instead (`on done`).', example: 'final state Done' },
    state: { summary: 'Declares a state, with its transitions, timers and entry/exit actions in braces. States inside make it a composite state: its transitions apply to every state inside.', example: 'state Online {\n    entry greet\n    on Data / printReply\n}' },
    // Hierarchy.
    parallel: { summary: 'A state whose regions run side by side: entering it enters every region, and an event may fire one transition in each. It completes (`on done`) when every region is in a final state.', example: 'parallel state Settings {\n    region Sound { initial state Loud }\n    region Clock { initial state Running }\n}' },
    region: { summary: 'One of the side-by-side parts of a parallel state: its states, one of them `initial`, are active while the parallel state is.', example: 'region Sound {\n    initial state Loud { on Mute -> Quiet }\n    state Quiet { on Unmute -> Loud }\n}' },
    history: { summary: 'A target that re-enters the child of its composite state that was active when the composite was last left; the first time, its default (`-> S`) or the initial child.', example: 'history Resume -> Paused' },
    deep: { summary: 'A deep history remembers every active state inside its composite, at any depth, not only the direct child.', example: 'deep history Resume' },
    'Transition:done': { summary: 'The completion of this state: a final child was entered (for a parallel state: every region is in a final state). Queued like `raise`; `on done` of a state handles only its own completion.', example: 'on done -> Finished' },
    on: { summary: 'A transition: on the event (and when the optional guard holds) go to the target, running the actions. Without a target it is internal: no exit or entry runs.', example: 'on Data [valid] -> Online / store, raise Stored' },
    after: { summary: 'A timer, armed when the state is entered and cleared when it is left.', example: 'after 2s -> Connecting / connect upstream' },
    entry: { summary: 'Actions run every time the state is entered, after the transition\'s actions.', example: 'entry greet, raise Ready' },
    exit: { summary: 'Actions run every time the state is left by a transition with a target, before the transition\'s actions.', example: 'exit flush' },
    client: { summary: 'An outgoing TCP connection: non-blocking connect when the machine starts, optional connect timeout, reconnect and heartbeat.', example: 'client upstream connect 127.0.0.1:7000 {\n    timeout 3s\n    connect -> Connected\n    read -> Data\n}' },
    server: { summary: 'A listening TCP socket. Every accepted connection runs its own instance of the session machine.', example: 'server listener listen 0.0.0.0:7000 {\n    session EchoSession\n    accept -> Joined\n}' },
    connection: { summary: 'In a session machine: the accepted socket its server hands over.', example: 'connection peer {\n    read -> Data\n    close -> PeerClosed\n}' },
    listen: { summary: 'The address a server listens on: HOST:PORT (IPv6 in brackets), or unix:PATH for a Unix domain socket (a stale socket file is removed first).', example: 'server listener listen [::]:7000 { … }' },
    'Client:connect': { summary: 'The address a client connects to: HOST:PORT (IPv6 in brackets, or quoted), or unix:PATH for a Unix domain socket.', example: 'client db connect "db.internal:5432" { … }' },
    signal: { summary: 'Turns a POSIX signal into an ordinary event, delivered through the event loop.', example: 'signal SIGTERM -> Shutdown' },
    // Socket events (left of `->` in a socket block).
    'SocketEvent:accept': { summary: 'Servers: a connection was accepted; the payload is the new session machine.', example: 'accept -> Joined' },
    'SocketEvent:connect': { summary: 'Clients: the connection is established.', example: 'connect -> Connected' },
    'SocketEvent:read': { summary: 'Bytes arrived (one whole message with a `framing`); the payload is a Buffer, or text for an event declared `E(string)`.', example: 'read -> Data' },
    'SocketEvent:drain': { summary: 'The socket can take more bytes after a write had to queue (reading resumes by itself).', example: 'drain -> Writable' },
    'SocketEvent:close': { summary: 'The socket closed; the payload is true when it closed because of an error.', example: 'close -> Closed' },
    'SocketEvent:error': { summary: 'A socket error (refused, reset, …) or bytes that could not be sent; the payload is the Error.', example: 'error -> Failed' },
    'SocketEvent:timeout': { summary: 'Clients: the connect did not finish within `timeout`.', example: 'timeout -> Failed' },
    'SocketEvent:stdout': { summary: "Processes: the child wrote to its stdout (one whole message with a `framing`); the payload is a Buffer, or text for an event declared `E(string)`.", example: 'stdout -> Line' },
    'SocketEvent:exit': { summary: "Processes: the child ended, after every message of its stdout was read; the payload is its exit status (a number; 128 + the signal's number when a signal ended it).", example: 'exit -> Exited' },
    // Processes.
    process: { summary: 'A child process as an event source: `spawn NAME` starts it, its stdout is read like a socket (framed), `send` writes to its stdin, `close` ends stdin (SIGTERM after the linger, SIGKILL after another), `exit` reports its status. Its stderr is the program\'s.', example: 'process worker spawn "node" "worker.js" {\n    framing lines\n    stdout -> Line\n    exit -> Exited\n}' },
    'Process:spawn': { summary: 'The command a process runs and its arguments, each a string (JSON escapes); the command is found on PATH. No shell runs it.', example: 'process backup spawn "tar" "-czf" "backup.tgz" "data"' },
    'SpawnAction:spawn': { summary: 'Starts a process (ignored while it runs). If it cannot start (ENOENT, EACCES), its `error` event says so and it can be spawned again.', example: 'entry spawn worker' },
    // TLS and cores.
    tls: { summary: 'Clients and servers: TLS over the connection. `ca` (trust only this CA; default: the system CAs), `cert` and `key` (our certificate; servers need both, and with `ca` they require client certificates), `servername` (clients: the name to check). Paths are relative to the working directory; NAME_TLS_CA, NAME_TLS_CERT, NAME_TLS_KEY, NAME_TLS_SERVERNAME override them. Certificate errors are `error` events with their codes.', example: 'tls { ca "certs/ca.pem" servername "api.example.com" }' },
    ca: { summary: 'TLS: the PEM file of the certificate authority to trust (clients: the server\'s; servers: it also makes client certificates required).', example: 'tls { ca "certs/ca.pem" }' },
    cert: { summary: 'TLS: the PEM file of our certificate (a server\'s, or a client certificate), with `key`.', example: 'tls { cert "certs/server.pem" key "certs/server-key.pem" }' },
    key: { summary: 'TLS: the PEM file of the private key of `cert`.', example: 'tls { cert "certs/server.pem" key "certs/server-key.pem" }' },
    servername: { summary: 'TLS, clients: the host name sent (SNI) and checked in the server\'s certificate (default: the host of the address).', example: 'tls { servername "api.example.com" }' },
    workers: { summary: "Servers of a machine the program starts: run the program in N processes with Node's cluster (`auto`: one per core); the primary hands connections out, forwards signals to every worker and exits when they all have. REACTOR_WORKERS overrides the count.", example: 'workers 2' },
    auto: { summary: 'One worker process per core (`os.availableParallelism()`).', example: 'workers auto' },
    // Options.
    reuseaddr: { summary: 'Has no effect: Node sets SO_REUSEADDR on every listening socket (reported as `ineffective-option`; kept so old models still parse).', example: 'reuseaddr' },
    nodelay: { summary: 'Disable Nagle\'s algorithm: small writes go out at once.', example: 'nodelay' },
    keepalive: { summary: 'TCP keepalive probes after the given idle time.', example: 'keepalive 10s' },
    backlog: { summary: 'Servers: how many connections may wait to be accepted (1–65535, default 511).', example: 'backlog 511' },
    'TimeoutOption:timeout': { summary: 'Clients: how long a connect may take before `timeout` (or `error`) is raised.', example: 'timeout 3s' },
    reconnect: { summary: 'Clients: reconnect after a failed or dropped connection, the delay doubling from the first to the second duration, with jitter.', example: 'reconnect 100ms..5s' },
    heartbeat: { summary: 'Clients and connections: every interval the heartbeat action may write a ping; nothing received for the timeout raises the event.', example: 'heartbeat 5s timeout 15s -> HeartbeatLost' },
    'HeartbeatOption:timeout': { summary: 'How long the peer may stay silent before the heartbeat event is raised; longer than the interval.', example: 'heartbeat 5s timeout 15s -> HeartbeatLost' },
    idle: { summary: 'Clients and connections: no bytes in either direction for the duration raises the event.', example: 'idle 30s -> Idle' },
    session: { summary: 'Servers: the machine every accepted connection runs (it needs a `connection` block).', example: 'session EchoSession' },
    framing: { summary: 'Clients and connections: how `read` cuts the bytes into messages (one event per whole message) and how `send` frames what it writes. A message too long or malformed is an `error`, then the connection closes.', example: 'framing lines max 4KiB' },
    none: { summary: 'No framing (the default): `read` delivers bytes in chunks as they arrive, and `send` writes them as they are.', example: 'framing none' },
    lines: { summary: 'Lines ending in LF or CRLF: each `read` is one line without its line break; `send` adds "\\n". Longest line: `max` (default 64KiB).', example: 'framing lines' },
    length: { summary: 'A big-endian length prefix of 1, 2 or 4 bytes, then the message: each `read` is one message without its prefix; `send` adds the prefix (default `max` 16MiB).', example: 'framing length 4' },
    delimiter: { summary: 'Messages ending in the given string (JSON escapes): each `read` is one message without it; `send` adds it (default `max` 64KiB).', example: 'framing delimiter "\\u0000"' },
    max: { summary: 'The longest message the framing takes, in bytes (units B, KiB, MiB, GiB): a longer one is an `error` (`ERR_FRAME_TOO_LONG`).', example: 'framing length 2 max 1KiB' },
    // Built-in actions.
    'CloseAction:close': { summary: 'Closes a socket gracefully: ends the write side after pending bytes are flushed, then destroys it after a short linger.', example: 'on Shutdown -> Done / close upstream' },
    'ConnectAction:connect': { summary: 'Starts connecting a client socket (ignored while it is connecting or connected).', example: 'after 1s -> Connecting / connect upstream' },
    raise: { summary: 'Queues an event for this machine, delivered after the current transition completes; `raise E(payload)` passes on the payload of the event being handled.', example: 'entry raise Poll' },
    stop: { summary: 'Stops the whole program: every machine finishes and its sockets close gracefully.', example: 'on Quit / stop' },
    send: { summary: 'Writes to a client or connection (or a process\'s stdin), framed as its `framing` says: a string (JSON escapes) or `payload`, the bytes of the event being handled. A full socket pauses the socket whose data filled it until `drain`.', example: 'on Line / send peer payload' },
    string: { summary: 'A payload type: text. A `read` mapped to the event delivers the bytes as UTF-8 text; a signal gives its name.', example: 'events Line(string)' },
    Buffer: { summary: 'A payload type: bytes, as a `read` delivers them (the default for events mapped to `read`).', example: 'events Frame(Buffer)' },
    number: { summary: 'A payload type: a number, given by your code (`machine.dispatch`) or a scenario (`send E 3`).', example: 'events Tick(number)' },
    boolean: { summary: 'A payload type: a boolean; a `close` mapping gives one (true when the socket closed because of an error).', example: 'events Closed(boolean)' },
    Error: { summary: 'A payload type: an Error with its `code`, as `error`, `timeout` and `heartbeat` mappings give.', example: 'events Failed(Error)' },
    json: { summary: 'A payload type: any JSON value, given by your code or a scenario; no socket gives one.', example: 'events Command(json)' },
    payload: { summary: 'The bytes the current event carries (what `read` delivered), forwarded as they are.', example: 'on Data / send upstream payload' },
    pause: { summary: "Stops reading a client or connection (asyncore's `readable()` returning false): bytes wait in the kernel and the peer slows down, until `resume`.", example: 'on Busy / pause peer' },
    resume: { summary: 'Reads again after `pause`: what waited is delivered first, in order.', example: 'on Ready / resume peer' }
};

/** The documentation of a grammar keyword where it stands (its rule decides which `timeout` it is), if any. */
export function keywordDoc(keyword: GrammarAST.Keyword): KeywordDoc | undefined {
    const rule = AstUtils.getContainerOfType(keyword, GrammarAST.isParserRule)?.name;
    return DOCS[`${rule}:${keyword.value}`] ?? DOCS[keyword.value];
}

/** Markdown for hover and completion details. */
export function keywordMarkdown(word: string, doc: KeywordDoc): string {
    return `**${word}** — ${doc.summary}\n\n\`\`\`reactor-fsm\n${doc.example}\n\`\`\``;
}

// Checks of processes, TLS blocks and workers: codes, where they point, messages.
import { describe, expect, it } from 'vitest';
import { summarize, validate } from '../helpers.js';

async function issues(text: string): Promise<string[]> {
    const { document, diagnostics } = await validate(text);
    return summarize(document, diagnostics).filter((line) => !/^(terminal-state|event-never-fires|unused-event|cannot-finish|unreachable-state)@/.test(line));
}

async function messages(text: string): Promise<string[]> {
    const { diagnostics } = await validate(text);
    return diagnostics.map((d) => `${String(d.code)}: ${d.message}`);
}

function withProcess(declaration: string, actions = 'spawn worker'): string {
    return `machine M {
        events Line(string), Exited(number), Failed(Error), Go
        initial state A { on Go / ${actions}  on Line / got  on Exited / gone  on Failed / failed }
        ${declaration}
    }`;
}

describe('processes', () => {
    it('takes a command with arguments, stdout/exit/error/drain mappings and a framing', async () => {
        expect(await issues(withProcess('process worker spawn "node" "w.mjs" "--x=\\"1\\"" { framing lines max 1KiB  stdout -> Line  exit -> Exited  error -> Failed  drain -> Go }'))).toEqual([]);
    });

    it('refuses an empty command and a NUL in an argument (bad-command)', async () => {
        expect(await issues(withProcess('process worker spawn ""'))).toEqual(['bad-command@""']);
        expect(await issues(withProcess('process worker spawn "node" "a\\u0000b"'))).toEqual(['bad-command@"node"']);
    });

    it('refuses socket members on a process and process events on sockets, saying what to use instead (misplaced-option)', async () => {
        const found = await messages(withProcess('process worker spawn "cat" { read -> Line  close -> Exited  nodelay  tls { ca "x" } }'));
        expect(found).toContain("misplaced-option: The 'read' event does not fit a process: it belongs to client and connection sockets (a process's output comes as 'stdout ->').");
        expect(found).toContain("misplaced-option: The 'close' event does not fit a process: it belongs to server, client and connection sockets (a process ends with 'exit ->', whose payload is its exit status).");
        expect(found.filter((line) => line.startsWith('misplaced-option'))).toHaveLength(4);
        const onClient = await messages(`machine M {
            events Line, Exited(number)
            initial state A { on Line / got  on Exited / gone }
            client c connect 127.0.0.1:9 { stdout -> Line  exit -> Exited }
        }`);
        expect(onClient).toContain("misplaced-option: The 'stdout' event does not fit a client: it belongs to processes (a socket's bytes come as 'read', its end as 'close').");
    });

    it('warns about a process nothing spawns (never-spawned), and refuses spawn of a socket and connect of a process', async () => {
        expect(await issues(withProcess('process worker spawn "cat"', 'got'))).toEqual(['never-spawned@worker']);
        const spawnClient = await messages(`machine M {
            events Go
            initial state A { on Go / spawn c }
            client c connect 127.0.0.1:9
        }`);
        expect(spawnClient).toContain("bad-spawn-target: 'spawn' needs a process: 'c' is a client (use 'connect c').");
        const connectProcess = await messages(withProcess('process worker spawn "cat"', 'spawn worker, connect worker'));
        expect(connectProcess).toContain("bad-connect-target: 'connect' needs a client socket: 'worker' is a process (start it with 'spawn worker').");
    });

    it('types: stdout gives bytes or text, exit a number (payload-type-mismatch otherwise)', async () => {
        const found = await messages(`machine M {
            events Out(number), Done(string)
            initial state A { entry spawn w  on Out / a  on Done / b }
            process w spawn "cat" { stdout -> Out  exit -> Done }
        }`);
        expect(found.filter((line) => line.startsWith('payload-type-mismatch'))).toHaveLength(2);
        expect(found.join('\n')).toMatch(/'exit' of w gives a number \(the exit status\)/);
    });
});

describe('tls', () => {
    const client = (block: string): string => `machine M {
        events Up
        initial state A { on Up / up }
        client c connect 127.0.0.1:9 { ${block} connect -> Up }
    }`;
    const server = (block: string): string => `machine S {
        events Go
        initial state A { on Go / go }
        server s listen 127.0.0.1:9 { session T ${block} }
    }
    machine T {
        events Gone
        initial state B { on Gone -> Z }
        final state Z
        connection peer { close -> Gone }
    }`;

    it('takes a client with any of ca, cert+key, servername, and a server with cert and key (and ca for mutual TLS)', async () => {
        expect(await issues(client('tls { }'))).toEqual([]);
        expect(await issues(client('tls { ca "certs/ca.pem" cert "c.pem" key "k.pem" servername "api.example.com" }'))).toEqual([]);
        expect(await issues(server('tls { cert "s.pem" key "s-key.pem" ca "ca.pem" }'))).toEqual([]);
    });

    it('refuses a server without cert or key, half a client certificate, empty or repeated settings, servername on a server, tls on a connection', async () => {
        expect(await messages(server('tls { cert "s.pem" }'))).toContain(`bad-option-value: A TLS server needs its certificate and private key: add key "FILE.pem".`);
        expect(await messages(client('tls { key "k.pem" }'))).toContain("bad-option-value: A client certificate needs both 'cert' and 'key': 'key' is given without 'cert'.");
        expect(await issues(client('tls { ca "" }'))).toEqual(['bad-option-value@""']);
        expect(await issues(client('tls { ca "a.pem" ca "b.pem" }'))).toEqual(['repeated-option@ca "b.pem"']);
        expect(await messages(server('tls { cert "s.pem" key "k.pem" servername "x" }'))).toContain("misplaced-option: 'servername' belongs to clients: it is the name the server's certificate must carry.");
        const connection = await messages(`machine T {
            events Gone
            initial state B { on Gone -> Z }
            final state Z
            connection peer { tls { ca "x" } close -> Gone }
        }`);
        expect(connection.some((line) => line.startsWith("misplaced-option: 'tls' does not fit a connection"))).toBe(true);
    });
});

describe('workers', () => {
    const program = (first: string, second = ''): string => `machine S {
        events Go
        initial state A { on Go / go }
        server s listen 127.0.0.1:9 { session T ${first} }
        server t listen 127.0.0.1:10 { session T ${second} }
    }
    machine T {
        events Gone
        initial state B { on Gone -> Z }
        final state Z
        connection peer { close -> Gone }
    }`;

    it('takes workers N (1–256) and workers auto on a server of a top-level machine, the same count twice', async () => {
        expect(await issues(program('workers 2'))).toEqual([]);
        expect(await issues(program('workers auto', 'workers auto'))).toEqual([]);
        expect(await issues(program('workers 256'))).toEqual([]);
    });

    it('refuses 0 and 257, two different counts, and workers on a client or on a session machine\'s server', async () => {
        expect(await issues(program('workers 0'))).toEqual(['bad-option-value@0']);
        expect(await issues(program('workers 257'))).toEqual(['bad-option-value@257']);
        expect(await issues(program('workers 2', 'workers auto'))).toEqual(['conflicting-option-values@workers auto']);
        const onClient = await messages(`machine M {
            events Up
            initial state A { on Up / up }
            client c connect 127.0.0.1:9 { workers 2 connect -> Up }
        }`);
        expect(onClient.some((line) => line.startsWith("misplaced-option: 'workers' does not fit a client"))).toBe(true);
        const inSession = await messages(`machine S {
            events Go
            initial state A { on Go / go }
            server s listen 127.0.0.1:9 { session T }
        }
        machine T {
            events Gone
            initial state B { on Gone -> Z }
            final state Z
            connection peer { close -> Gone }
            server inner listen 127.0.0.1:11 { session U  workers 2 }
        }
        machine U {
            events Gone
            initial state C { on Gone -> Y }
            final state Y
            connection peer { close -> Gone }
        }`);
        expect(inSession.some((line) => line.startsWith("misplaced-option: 'workers' runs the whole program in several processes"))).toBe(true);
    });
});

// The interpreter against docs/language.md "How a model runs": one test per rule, traces compared whole.
import { describe, expect, it } from 'vitest';
import { applyStep, ScenarioStepError } from '../../language/semantics/run-scenario.js';
import { parseScenario } from '../../language/semantics/scenario.js';
import type { TraceLine } from '../../templates/runtime/trace-format.js';
import { Simulation, type SimulationOptions } from '../../language/semantics/interpreter.js';
import { programFrom, simulate } from './simulate-helpers.js';

describe('machines', () => {
    it('start: entry actions in order, then timers; run-to-completion puts raised events after the current one', async () => {
        const { lines } = await simulate(
            `machine M {
                events Go, Next
                initial state A {
                    entry a1, a2
                    exit x1
                    on Go -> B / t1, raise Next, t2
                }
                state B {
                    entry b1, raise Next
                    on Next / n1
                    after 1s -> A
                }
            }`,
            'send Go\nadvance 1s'
        );
        expect(lines).toEqual([
            'M start A',
            'M entry a1@A',
            'M entry a2@A',
            'M exit x1@A',
            'M transition t1@A',
            'M transition raise Next@A',
            'M transition t2@A',
            'M A -Go-> B',
            'M entry b1@B',
            'M entry raise Next@B',
            'M B internal Next',
            'M transition n1@B',
            'M B internal Next',
            'M transition n1@B',
            'M B -after 1s-> A',
            'M entry a1@A',
            'M entry a2@A'
        ]);
    });

    it('guards are tried in the order written; a negated guard; nothing fires: unhandled', async () => {
        const model = `machine M {
            events E
            initial state A {
                on E [ready] -> B / viaReady
                on E [!open] / notOpen
            }
            state B { on E -> A }
        }`;
        expect((await simulate(model, 'send E')).lines.slice(1)).toEqual(['M A internal E', 'M transition notOpen@A']);
        expect((await simulate(model, 'guard ready true\nsend E')).lines.slice(1)).toEqual(['M transition viaReady@A', 'M A -E-> B']);
        expect((await simulate(model, 'guard open true\nsend E')).lines.slice(1)).toEqual(['M A unhandled E']);
    });

    it('a guard given several values takes the next at each evaluation and keeps the last (a raise loop the user code ends)', async () => {
        const { lines } = await simulate(
            `machine M {
                events Flush
                initial state A { on Flush [!empty] / sendBatch, raise Flush }
            }`,
            'guard empty false false true\nsend Flush\nsend Flush'
        );
        expect(lines.filter((line) => line.includes('sendBatch') || line.includes('unhandled'))).toEqual([
            'M transition sendBatch@A',
            'M transition sendBatch@A',
            'M A unhandled Flush',
            'M A unhandled Flush'
        ]);
    });

    it('an internal transition keeps the timers running; a self transition restarts them', async () => {
        const model = `machine M {
            events Poke, Again
            initial state A {
                on Poke / poked
                on Again -> A
                after 2s -> B
            }
            state B { on Again -> A }
        }`;
        const internal = await simulate(model, 'advance 1s\nsend Poke\nadvance 1s', { timed: true });
        expect(internal.lines.at(-1)).toBe('2000 M A -after 2s-> B');
        const self = await simulate(model, 'advance 1s\nsend Again\nadvance 1s\nadvance 1s', { timed: true });
        expect(self.lines.filter((line) => line.includes('after'))).toEqual(['3000 M A -after 2s-> B']);
    });

    it('timers due at the same time fire in the order they were armed; a timer of a state left meanwhile is dropped', async () => {
        const { lines } = await simulate(
            `machine M {
                events E
                initial state A {
                    after 1s -> B / first
                    after 1s -> C / second
                }
                state B { on E -> A }
                state C { on E -> A }
            }`,
            'advance 5s',
            { timed: true }
        );
        expect(lines).toEqual(['0 M start A', '1000 M transition first@A', '1000 M A -after 1s-> B']);
    });

    it('a final state runs its entry actions and finishes the machine: later events are ignored', async () => {
        const { lines, run } = await simulate(
            `machine M {
                events Done, Late
                initial state A { on Done -> Z / raise Late }
                final state Z { entry bye }
            }`,
            'send Done\nsend Late'
        );
        expect(lines).toEqual(['M start A', 'M transition raise Late@A', 'M A -Done-> Z', 'M entry bye@Z', 'M finish Z']);
        expect(run.simulation.instance('M')?.finished).toBe(true);
    });

    it('an initial final state finishes at once, after its entry actions', async () => {
        expect((await simulate('machine M { initial final state Z { entry hi } }', '')).lines).toEqual(['M start Z', 'M entry hi@Z', 'M finish Z']);
    });

    it('stop: the step completes (later actions, the target and its entry actions), then every top-level machine finishes in start order', async () => {
        const { lines } = await simulate(
            `machine First {
                events Quit, Later
                initial state A { on Quit -> B / before, stop, afterwards }
                state B {
                    entry enterB, raise Later
                    on Later -> A
                    after 1s -> A
                }
            }
            machine Second {
                events X
                initial state S { on X -> S }
            }`,
            'send Quit\nadvance 5s'
        );
        expect(lines).toEqual([
            'First start A',
            'Second start S',
            'First transition before@A',
            'First transition stop@A',
            'First transition afterwards@A',
            'First A -Quit-> B',
            'First entry enterB@B',
            'First entry raise Later@B',
            'First finish B',
            'Second finish S'
        ]);
    });

    it('an endless cycle of raise is an error of the step, not a hang', async () => {
        const model = `machine M {
            events Ping
            initial state A { on Ping / raise Ping }
        }`;
        await expect(simulate(model, '\n\nsend Ping')).rejects.toThrow(ScenarioStepError);
        // Vitest types its asymmetric matchers as `any`.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
        await expect(simulate(model, '\n\nsend Ping')).rejects.toMatchObject({ line: 3, message: expect.stringContaining('endless cycle') });
    });
});

describe('signals', () => {
    it('go to every running machine that binds them, sessions included, in the order they started', async () => {
        const { lines } = await simulate(
            `machine Server {
                events Joined, Usr
                initial state Up { on Joined / count  on Usr / usr }
                server listener listen 127.0.0.1:7000 { session Worker  accept -> Joined }
                signal SIGUSR2 -> Usr
            }
            machine Worker {
                events Poke
                initial state W { on Poke / poked }
                connection peer { }
                signal SIGUSR2 -> Poke
            }`,
            'listener accept\nlistener accept\nsignal SIGUSR2'
        );
        expect(lines.slice(-6)).toEqual(['Server Up internal Usr', 'Server transition usr@Up', 'Worker#1 W internal Poke', 'Worker#1 transition poked@W', 'Worker#2 W internal Poke', 'Worker#2 transition poked@W']);
    });

    it('a signal nobody binds would kill the program: the scenario says so', async () => {
        await expect(simulate('machine M { events E initial state A { on E -> A } signal SIGTERM -> E }', 'signal SIGHUP')).rejects.toThrow(/no running machine binds SIGHUP/);
    });
});

const CLIENT = `machine C {
    events Up, Fail, Down, Data, Late, Lost, Quiet
    initial state A {
        on Up -> B
        on Fail / failed
        on Down / down
    }
    state B {
        on Data / got
        on Down -> A
        on Lost -> A / close link
        on Quiet / quiet
    }
    client link connect 127.0.0.1:9 {
        timeout 3s
        reconnect 100ms..1s
        heartbeat 2s timeout 5s -> Lost
        idle 4s -> Quiet
        connect -> Up
        read -> Data
        close -> Down
        error -> Fail
    }
}`;

describe('clients', () => {
    it('a connection reset while it closes ends with its linger: a connect from the error handler leaves no timer of it behind', async () => {
        const model = `machine R {
    events Up, Fail, Bye
    initial state A {
        on Up -> B
    }
    state B {
        on Bye -> C / close link
    }
    state C {
        on Fail -> D / connect link
    }
    state D {
        on Up -> B
    }
    client link connect 127.0.0.1:9 {
        connect -> Up
        error -> Fail
    }
}`;
        const { lines, run } = await simulate(model, 'link connected\nsend Bye\nlink reset');
        expect(lines.slice(-3)).toEqual(['R io link error ECONNRESET', 'R transition connect link@C', 'R C -Fail-> D']);
        // Node destroys the reset socket and its close clears the linger (the runtime's StreamDispatcher.close); the
        // new connect owns no timer of the old one.
        expect(run.simulation.pendingTimers.map((timer) => timer.label)).toEqual([]);
    });

    it('refused: error, then close after an error; reconnect delays double up to the maximum and start again after a connect', async () => {
        const { lines } = await simulate(CLIENT, 'link refused\nadvance 100ms\nlink refused\nadvance 200ms\nlink refused\nadvance 399ms\nadvance 1ms\nlink connected', { timed: true });
        expect(lines.filter((line) => line.includes(' io '))).toEqual([
            '0 C io link error ECONNREFUSED',
            '0 C io link close !',
            '100 C io link error ECONNREFUSED',
            '100 C io link close !',
            '300 C io link error ECONNREFUSED',
            '300 C io link close !',
            '700 C io link connect'
        ]);
        expect(lines.slice(1, 6)).toEqual(['0 C io link error ECONNREFUSED', '0 C A internal Fail', '0 C transition failed@A', '0 C io link close !', '0 C A internal Down']);
    });

    it('a connect started by the handler of a failed connect is a new one: the failed socket closes, the new one connects', async () => {
        const { lines } = await simulate(
            `machine Retry {
                events Failed
                initial state A { on Failed / connect c }
                client c connect 127.0.0.1:7000 { error -> Failed }
            }`,
            'c refused\nc connected'
        );
        expect(lines).toEqual(['Retry start A', 'Retry io c error ECONNREFUSED', 'Retry A internal Failed', 'Retry transition connect c@A', 'Retry io c connect']);
    });

    it('a connect started by the handler of a reset (or of a linger running out) is a new one; the old socket close is not delivered', async () => {
        const model = `machine R {
            events Failed, Up, Down
            initial state A { on Up -> B }
            state B { on Failed -> A / connect c }
            client c connect 127.0.0.1:7000 { connect -> Up  error -> Failed  close -> Down }
        }`;
        const reset = await simulate(model, 'c connected\nc reset\nc connected');
        expect(reset.lines.slice(3)).toEqual(['R io c error ECONNRESET', 'R transition connect c@B', 'R B -Failed-> A', 'R io c connect', 'R A -Up-> B']);
        const linger = await simulate(model.replace('on Up -> B }', 'on Up -> B / close c }'), 'c connected\nadvance 2s\nc connected', { timed: true });
        expect(linger.lines.slice(4)).toEqual([
            '2000 R io c error ERR_LINGER_EXPIRED',
            '2000 R transition connect c@B',
            '2000 R B -Failed-> A',
            '2000 R io c connect',
            '2000 R transition close c@A',
            '2000 R A -Up-> B'
        ]);
    });

    it('connect timeout: timeout (here mapped to error), then close; the step `timeout` needs the option', async () => {
        const { lines } = await simulate(CLIENT, 'advance 3s', { timed: true });
        expect(lines.slice(1, 6)).toEqual(['3000 C io link timeout', '3000 C A internal Fail', '3000 C transition failed@A', '3000 C io link close', '3000 C A internal Down']);
        await expect(simulate(CLIENT.replace('timeout 3s', ''), 'link timeout')).rejects.toThrow(/no 'timeout' option/);
    });

    it('the step `timeout` moves the clock on to the connect timeout, firing what is due before it', async () => {
        const { lines } = await simulate(CLIENT.replace('initial state A {', 'initial state A {\n        after 1s -> A / tick'), 'link timeout', { timed: true });
        expect(lines.filter((line) => / io |tick/.test(line))).toEqual(['1000 C transition tick@A', '2000 C transition tick@A', '3000 C io link timeout', '3000 C io link close', '3000 C transition tick@A']);
    });

    it('heartbeat: the hook runs while data keeps coming; silence for the timeout raises the event once', async () => {
        const { lines } = await simulate(CLIENT, 'link connected\nadvance 2s\nlink data "x"\nadvance 6s', { timed: true });
        expect(lines.filter((line) => /heartbeat|Lost/.test(line))).toEqual([
            '2000 C heartbeat heartbeat link@B',
            '4000 C heartbeat heartbeat link@B',
            '6000 C heartbeat heartbeat link@B',
            '8000 C io link heartbeat-lost',
            '8000 C B -Lost-> A'
        ]);
    });

    it('idle: once after the quiet time, again only after bytes arrive', async () => {
        const model = CLIENT.replace('heartbeat 2s timeout 5s -> Lost', '');
        const { lines } = await simulate(model, 'link connected\nadvance 10s\nlink data "x"\nadvance 4s', { timed: true });
        expect(lines.filter((line) => line.includes('idle'))).toEqual(['4000 C io link idle', '14000 C io link idle']);
    });

    it('a reset: error ECONNRESET, then close after an error; the peer closing: close', async () => {
        const reset = await simulate(CLIENT, 'link connected\nlink reset');
        expect(reset.lines.slice(-4)).toEqual(['C io link error ECONNRESET', 'C B unhandled Fail', 'C io link close !', 'C B -Down-> A']);
        const closed = await simulate(CLIENT, 'link connected\nlink closed');
        expect(closed.lines.slice(-2)).toEqual(['C io link close', 'C B -Down-> A']);
    });

    it('close NAME ends our side and waits for the peer (or the linger); no reconnect after it', async () => {
        const { lines, run } = await simulate(CLIENT.replace('heartbeat 2s timeout 5s -> Lost', ''), 'link connected\nsend Lost\nlink data "late"\nlink closed\nadvance 10s', { timed: true });
        expect(lines.slice(-7)).toEqual([
            '0 C transition close link@B',
            '0 C B -Lost-> A',
            '0 C io link data 4B',
            '0 C A unhandled Data',
            '0 C io link close',
            '0 C A internal Down',
            '0 C transition down@A'
        ]);
        // No reconnect timer: the model closed the socket itself.
        expect(run.simulation.pendingTimers).toEqual([]);
    });

    it('a socket step must fit the socket: data while connecting is refused with the reason', async () => {
        await expect(simulate(CLIENT, 'link data "x"')).rejects.toThrow(/link is connecting: 'data' can happen only while it is connected or closing/);
    });
});

const SERVER = `machine Srv {
    events Joined, Quit, Gone, Failed
    initial state Up {
        on Joined / count
        on Quit -> Down
        on Failed / failed
    }
    state Down {
        entry close listener
        on Gone -> Done
    }
    final state Done
    server listener listen 127.0.0.1:7000 {
        session Sess
        accept -> Joined
        close -> Gone
    }
    signal SIGTERM -> Quit
}
machine Sess {
    events Data, Bye
    initial state Open {
        entry hello
        on Data / echo
        on Bye -> Closed
    }
    final state Closed { entry goodbye }
    connection peer {
        read -> Data
        close -> Bye
    }
}`;

describe('servers and sessions', () => {
    it('accept: the session starts first, then the server hears of it; sessions are numbered from 1', async () => {
        const { lines } = await simulate(SERVER, 'listener accept\nlistener accept');
        expect(lines).toEqual([
            'Srv start Up',
            'Sess#1 start Open',
            'Sess#1 entry hello@Open',
            'Srv io listener accept Sess#1',
            'Srv Up internal Joined',
            'Srv transition count@Up',
            'Sess#2 start Open',
            'Sess#2 entry hello@Open',
            'Srv io listener accept Sess#2',
            'Srv Up internal Joined',
            'Srv transition count@Up'
        ]);
    });

    it('two servers running one session machine number its sessions together, so every name is one session', async () => {
        const twin = SERVER.replace('server listener listen 127.0.0.1:7000 {', 'server side listen 127.0.0.1:7001 {\n        session Sess\n    }\n    server listener listen 127.0.0.1:7000 {');
        const { lines } = await simulate(twin, 'listener accept\nside accept\nlistener accept\nSess#2.peer data "hi"\nSess#2.peer closed');
        expect(lines.filter((line) => / io (listener|side) accept /.test(line))).toEqual(['Srv io listener accept Sess#1', 'Srv io side accept Sess#2', 'Srv io listener accept Sess#3']);
        expect(lines.slice(-7)).toEqual(['Sess#2 io peer data 2B', 'Sess#2 Open internal Data', 'Sess#2 transition echo@Open', 'Sess#2 io peer close', 'Sess#2 Open -Bye-> Closed', 'Sess#2 entry goodbye@Closed', 'Sess#2 finish Closed']);
    });

    it('forgetFinishedSessions keeps a finished session without timers while a session of its server runs, and lets both go after', async () => {
        const chain = `machine Top {
    events Joined
    initial state Up { on Joined / count }
    server front listen 127.0.0.1:7000 { session Mid  accept -> Joined }
}
machine Mid {
    events Bye, Child
    initial state Open {
        on Child / count
        on Bye -> Done
    }
    final state Done
    connection peer { close -> Bye }
    server back listen 127.0.0.1:7001 { session Leaf  accept -> Child }
}
machine Leaf {
    events Data, Bye
    initial state Open {
        on Data / echo
        on Bye -> Closed
    }
    final state Closed
    connection peer {
        read -> Data
        close -> Bye
    }
}`;
        const program = await programFrom(chain);
        const simulation = new Simulation(program);
        simulation.start();
        const names = (): string[] => simulation.instances.map((instance) => `${instance.name}${instance.finished ? ' (finished)' : ''}`);
        const step = (line: string): void => {
            applyStep(simulation, parseScenario(line)[0]!, 'Top');
            simulation.forgetFinishedSessions();
        };
        step('front accept');
        step('Mid#1.back accept');
        step('Mid#1.peer closed');
        // Mid#1 has finished and holds no timer (its peer closed first), but its server still runs Leaf#1 (closing).
        expect(simulation.pendingTimers.map((timer) => `${timer.owner} ${timer.label}`)).toEqual(['Leaf#1 linger']);
        expect(names()).toEqual(['Top', 'Mid#1 (finished)', 'Leaf#1']);
        step('Leaf#1.peer closed');
        expect(names()).toEqual(['Top']);
    });

    it('onlyUnhandled: the same steps do the same, and only the unhandled lines are made', async () => {
        const program = await programFrom(SERVER);
        const drive = (options: SimulationOptions): Simulation => {
            const simulation = new Simulation(program, options);
            simulation.start();
            const server = simulation.instance('Srv')!;
            simulation.socket(server, 'listener', { what: 'accept' });
            simulation.socket(server, 'listener', { what: 'accept' });
            simulation.socket(simulation.instance('Sess#1')!, 'peer', { what: 'data', data: 'hi' });
            simulation.signal('SIGTERM');
            simulation.send(server, 'Failed');
            simulation.send(server, 'Joined');
            simulation.socket(simulation.instance('Sess#2')!, 'peer', { what: 'closed' });
            simulation.advance(5_000);
            return simulation;
        };
        const full = drive({});
        const made: TraceLine[] = [];
        const quiet = drive({ keepTrace: false, onlyUnhandled: true, onTrace: (line) => made.push(line) });
        const situation = (simulation: Simulation): string[] => simulation.instances.map((instance) => `${instance.name}: ${instance.stateName}${instance.finished ? ' (finished)' : ''}`);
        expect(situation(quiet)).toEqual(situation(full));
        expect(quiet.pendingTimers.map((timer) => `${timer.owner} ${timer.label} ${timer.due}`)).toEqual(full.pendingTimers.map((timer) => `${timer.owner} ${timer.label} ${timer.due}`));
        const unhandled = full.trace.filter((line) => line.kind === 'unhandled');
        expect(unhandled.length).toBeGreaterThan(0);
        expect(made).toEqual(unhandled);
        expect(quiet.trace).toEqual([]);
    });

    it('close NAME on a server drains it: no more accepts, the sessions run on and end by themselves, then the server closes', async () => {
        const { lines } = await simulate(SERVER, 'listener accept\nlistener accept\nsignal SIGTERM\nSess#1.peer data "late"\nSess#1.peer closed\nSess#2.peer closed');
        expect(lines.slice(11)).toEqual([
            'Srv Up -Quit-> Down',
            'Srv entry close listener@Down',
            'Sess#1 io peer data 4B',
            'Sess#1 Open internal Data',
            'Sess#1 transition echo@Open',
            'Sess#1 io peer close',
            'Sess#1 Open -Bye-> Closed',
            'Sess#1 entry goodbye@Closed',
            'Sess#1 finish Closed',
            'Sess#2 io peer close',
            'Sess#2 Open -Bye-> Closed',
            'Sess#2 entry goodbye@Closed',
            'Sess#2 finish Closed',
            'Srv io listener close',
            'Srv Down -Gone-> Done',
            'Srv finish Done'
        ]);
    });

    it('when the machine of a server finishes, every session connection is closed gracefully: a peer that answers, and one that does not (linger)', async () => {
        const shutdown = SERVER.replace('on Quit -> Down', 'on Quit -> Done');
        const { lines } = await simulate(shutdown, 'listener accept\nlistener accept\nsignal SIGTERM\nSess#1.peer data "late"\nSess#1.peer closed\nadvance 2s', { timed: true });
        expect(lines.slice(11)).toEqual([
            '0 Srv Up -Quit-> Done',
            '0 Srv finish Done',
            '0 Sess#1 io peer data 4B',
            '0 Sess#1 Open internal Data',
            '0 Sess#1 transition echo@Open',
            '0 Sess#1 io peer close',
            '0 Sess#1 Open -Bye-> Closed',
            '0 Sess#1 entry goodbye@Closed',
            '0 Sess#1 finish Closed',
            '2000 Sess#2 io peer error ERR_LINGER_EXPIRED',
            '2000 Sess#2 io peer close',
            '2000 Sess#2 Open -Bye-> Closed',
            '2000 Sess#2 entry goodbye@Closed',
            '2000 Sess#2 finish Closed'
        ]);
    });

    it('a listen failure nobody maps stops the program with status 1; a mapped one is an event', async () => {
        const unmapped = await simulate(SERVER, 'listener error EADDRINUSE');
        expect(unmapped.lines.slice(-2)).toEqual(['Srv io listener error EADDRINUSE', 'Srv finish Up']);
        expect(unmapped.run.simulation.exitCode).toBe(1);
        const mapped = await simulate(SERVER.replace('close -> Gone', 'close -> Gone  error -> Failed'), 'listener error EADDRINUSE');
        expect(mapped.lines.slice(-3)).toEqual(['Srv io listener error EADDRINUSE', 'Srv Up internal Failed', 'Srv transition failed@Up']);
        expect(mapped.run.simulation.exitCode).toBeUndefined();
    });

    it('out of descriptors (EMFILE) unmapped: the server goes on', async () => {
        const { lines, run } = await simulate(SERVER, 'listener error EMFILE\nlistener accept');
        expect(lines.slice(1, 3)).toEqual(['Srv io listener error EMFILE', 'Sess#1 start Open']);
        expect(run.simulation.exitCode).toBeUndefined();
    });

    it('steps name instances that exist; accept needs a listening server', async () => {
        await expect(simulate(SERVER, 'Sess#3.peer data "x"')).rejects.toThrow(/no machine instance 'Sess#3'/);
        await expect(simulate(SERVER, 'listener accept\nSess#1.nope closed')).rejects.toThrow(/no socket 'nope'/);
        await expect(simulate(SERVER, 'send Nope')).rejects.toThrow(/no event 'Nope'/);
        await expect(simulate(SERVER, 'listener accept\nsignal SIGTERM\nlistener accept')).rejects.toThrow(/listener is not listening \(closing\)/);
    });
});

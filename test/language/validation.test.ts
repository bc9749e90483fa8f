// Every diagnostic code: a model that triggers it (code, severity, range, message) and a close model that must not.
import { describe, expect, it } from 'vitest';
import { DocumentValidator } from 'langium';
import type { UnresolvedReferenceData } from '../../language/validation/document-validator.js';
import { IssueCodes, IssueSeverities, type IssueCode } from '../../language/validation/issue-codes.js';
import { rangeText, services, validate, withDocuments } from '../helpers.js';

const SEVERITY: Record<string, number> = { error: 1, warning: 2, info: 3 };

/**
 * Asserts `text` reports `code` exactly on the given range texts (in order), with the code's severity. Where it must
 * report nothing, the model must parse: most checks skip a machine with a syntax error, which would say nothing.
 */
async function expectReported(text: string, code: IssueCode, ranges: string[], message?: RegExp, others: string[] = []): Promise<void> {
    const { document, diagnostics } = await validate(text, others);
    const found = diagnostics.filter((d) => d.code === code).map((d) => ({ ...d, text: rangeText(document, d) }));
    expect(found.map((d) => d.text)).toEqual(ranges);
    if (ranges.length === 0 && code !== IssueCodes.SyntaxError) {
        expect(diagnostics.filter((d) => d.code === IssueCodes.SyntaxError).map((d) => d.message), 'the model parses').toEqual([]);
    }
    for (const d of found) {
        expect(d.severity).toBe(SEVERITY[IssueSeverities[code]]);
        if (message) {
            expect(d.message).toMatch(message);
        }
    }
}

async function expectClean(text: string, others: string[] = []): Promise<void> {
    const { diagnostics } = await validate(text, others);
    expect(diagnostics.map((d) => `${String(d.code)}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).toEqual([]);
}

describe('unreachable-state', () => {
    it('warns on a state no path reaches, final ones too', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A { on Go -> B }
                state B { on Go -> A }
                state Orphan { on Go -> A }
                final state Lost
            }`,
            IssueCodes.UnreachableState,
            ['Orphan', 'Lost'],
            /unreachable: no transition or timer leads to it from the initial state 'A'/
        );
    });
    it('counts timers as paths', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A { after 1s -> B }
                state B { on Go -> A }
            }`,
            IssueCodes.UnreachableState,
            []
        );
    });
    it('is not reported when there is no single initial state', async () => {
        await expectReported(`machine M { events Go state A { on Go -> B } state B { on Go -> A } }`, IssueCodes.UnreachableState, []);
    });
});

describe('terminal-state', () => {
    it('warns on a non-final state nothing leaves, including one with only internal and self transitions', async () => {
        await expectReported(
            `machine M {
                events Go, Tick
                initial state A { on Go -> Stuck  on Tick -> Loop }
                state Stuck { on Tick / count }
                state Loop { on Tick -> Loop }
            }`,
            IssueCodes.TerminalState,
            ['Stuck', 'Loop'],
            /nothing leaves it: the machine gets stuck here.*mark it 'final'/
        );
    });
    it('accepts a final state, a state with a timer out, and a state whose action stops the reactor', async () => {
        await expectReported(
            `machine M {
                events Go, Quit
                initial state A { on Go -> B  on Quit / stop }
                state B { after 2s -> Done }
                final state Done
            }`,
            IssueCodes.TerminalState,
            []
        );
    });
});

describe('final-has-transitions', () => {
    it('is an error on each transition and timer of a final state', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A { on Go -> Done }
                final state Done {
                    entry cleanup
                    on Go -> A
                    after 1s -> A
                }
            }`,
            IssueCodes.FinalHasTransitions,
            ['on Go -> A', 'after 1s -> A'],
            /Final state 'Done' cannot have (transitions|timers)/
        );
    });
    it('is an error on each exit line of a final state: a final state is never left, so they never run', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A { on Go -> Done  exit leaveA }
                final state Done {
                    entry cleanup
                    exit bye, wave
                    exit again
                }
            }`,
            IssueCodes.FinalHasTransitions,
            ['exit bye, wave', 'exit again'],
            /^Final state 'Done' cannot have exit actions: a final state is never left, so they can never run\. Remove this line, or drop 'final'\.$/
        );
    });
    it('allows entry actions in a final state, and exit actions in other states', async () => {
        await expectReported(
            `machine M { events Go initial state A { on Go -> Done  exit bye } final state Done { entry cleanup } }`,
            IssueCodes.FinalHasTransitions,
            []
        );
    });
});

describe('no-initial and many-initial', () => {
    it('reports a machine without an initial state on its name', async () => {
        await expectReported(`machine Door { events Open state Shut { on Open -> Shut } }`, IssueCodes.NoInitial, ['Door'], /Machine 'Door' has no initial state/);
    });
    it('reports every extra initial state on its initial keyword', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A { on Go -> B }
                initial state B { on Go -> A }
                initial state C { on Go -> A }
            }`,
            IssueCodes.ManyInitial,
            ['initial', 'initial'],
            /already starts in 'A' \(line 3\): only one state can be 'initial'/
        );
    });
    it('accepts exactly one initial state', async () => {
        await expectReported(`machine M { events Go initial state A { on Go -> A } }`, IssueCodes.NoInitial, []);
        await expectReported(`machine M { events Go initial state A { on Go -> A } }`, IssueCodes.ManyInitial, []);
    });
});

describe('duplicate-name', () => {
    it('reports a second state, event and socket of the same name on the duplicate', async () => {
        await expectReported(
            `machine M {
                events Go, Data, Go
                initial state A { on Go -> A  on Data -> A }
                state A
                client up connect 127.0.0.1:1 { read -> Data }
                client up connect 127.0.0.1:2 { read -> Data }
            }`,
            IssueCodes.DuplicateName,
            ['Go', 'A', 'up'],
            /Duplicate (event|state|socket) name '(Go|A|up)': machine 'M' already has an? (event|state|socket) called that \(line \d\)/
        );
    });
    it('reports two machines of one name in a file, and across files of the workspace', async () => {
        await expectReported(`machine M { } machine M { }`, IssueCodes.DuplicateName, ['M']);
        await expectReported(`machine Shared { }`, IssueCodes.DuplicateName, ['Shared'], /declares a machine called that too/, [`machine Shared { }`]);
    });
    it('lets a state and an event share a name', async () => {
        await expectReported(`machine M { events Closed initial state Open { on Closed -> Closed } final state Closed }`, IssueCodes.DuplicateName, []);
    });
});

describe('nondeterministic and shadowed-transition', () => {
    it('is an error on the second unguarded transition on one event, internal or not', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A {
                    on Go -> B
                    on Go / log
                }
                state B { on Go -> A }
            }`,
            IssueCodes.Nondeterministic,
            ['Go'],
            /State 'A' already has an unguarded transition on 'Go' \(line 4\)/
        );
    });
    it('accepts guarded transitions tried in order with an unguarded fallback last', async () => {
        const model = `machine M {
            events Go
            initial state A {
                on Go [ready] -> B
                on Go [!ready] / wait
                on Go -> A
            }
            state B { on Go -> A }
        }`;
        await expectReported(model, IssueCodes.Nondeterministic, []);
        await expectReported(model, IssueCodes.ShadowedTransition, []);
    });
    it('warns on a guarded transition placed after the unguarded fallback', async () => {
        await expectReported(
            `machine M {
                events Go
                initial state A {
                    on Go -> B
                    on Go [ready] -> A
                }
                state B { on Go -> A }
            }`,
            IssueCodes.ShadowedTransition,
            ['ready'],
            /can never fire: the unguarded one on line 4/
        );
    });
});

describe('unused-event', () => {
    it('warns on an event no state handles', async () => {
        await expectReported(`machine M { events Go, Spare initial state A { on Go -> A } }`, IssueCodes.UnusedEvent, ['Spare'], /Event 'Spare' is declared but no state handles it/);
    });
    it('counts a handler in any state, reachable or not', async () => {
        await expectReported(`machine M { events Go, Late initial state A { on Go -> A } state B { on Late -> A } }`, IssueCodes.UnusedEvent, []);
    });
});

describe('event-never-fires', () => {
    it('informs about a handled event no socket, signal or raise produces, in a reactor', async () => {
        await expectReported(
            `machine M {
                events Data, Poke, Stop
                initial state A { on Data / echo  on Poke / log  on Stop -> Done }
                final state Done
                client c connect 127.0.0.1:7000 { read -> Data }
                signal SIGTERM -> Stop
            }`,
            IssueCodes.EventNeverFires,
            ['Poke'],
            /Event 'Poke' is handled, but no socket, signal or 'raise' of machine 'M' produces it/
        );
    });
    it('counts raise, heartbeat and idle as producers', async () => {
        await expectReported(
            `machine M {
                events Data, Lost, Quiet, Again
                initial state A { on Data / echo, raise Again  on Again / log  on Lost -> A  on Quiet -> A }
                client c connect 127.0.0.1:7000 { read -> Data  heartbeat 1s timeout 3s -> Lost  idle 10s -> Quiet }
            }`,
            IssueCodes.EventNeverFires,
            []
        );
    });
    it('is silent in a machine without sockets or signals', async () => {
        await expectReported(`machine M { events Go initial state A { on Go -> A } }`, IssueCodes.EventNeverFires, []);
    });
});

describe('cannot-finish', () => {
    it('informs about reachable states from which no final state can be reached', async () => {
        await expectReported(
            `machine M {
                events Go, Back, Quit
                initial state A { on Go -> Loop1  on Quit -> Done }
                state Loop1 { on Go -> Loop2 }
                state Loop2 { on Back -> Loop1 }
                final state Done
            }`,
            IssueCodes.CannotFinish,
            ['Loop1', 'Loop2'],
            /From state 'Loop[12]' no final state can be reached: once here, machine 'M' never finishes\./
        );
    });
    it('is silent where terminal-state is reported, where stop ends the program, and without a reachable final state', async () => {
        await expectReported(
            `machine M { events Go, Quit initial state A { on Go -> Stuck  on Quit -> Done } state Stuck { on Go / log } final state Done }`,
            IssueCodes.CannotFinish,
            []
        );
        await expectReported(
            `machine M { events Go, Quit initial state A { on Go -> B  on Quit -> Done } state B { on Go -> A2 } state A2 { on Quit / stop  on Go -> B } final state Done }`,
            IssueCodes.CannotFinish,
            []
        );
        await expectReported(`machine M { events Go initial state A { on Go -> B } state B { on Go -> A } }`, IssueCodes.CannotFinish, []);
    });
});

describe('socket checks: one code per problem (bad-address … bad-connect-target)', () => {
    const socketModel = (socket: string, extra = ''): string => `machine M {
        events Data, Up, Lost, Acc
        initial state A { on Data -> A  on Up -> A  on Lost -> A  on Acc -> A }
        ${socket}
        ${extra}
    }`;
    it('bad-address: ports outside 0–65535 and malformed hosts', async () => {
        await expectReported(socketModel('client c connect 127.0.0.1:70000 { read -> Data }'), IssueCodes.BadAddress, ['127.0.0.1:70000'], /Port '70000' is outside 0–65535/);
        await expectReported(socketModel('client c connect 300.1.1.1:80 { read -> Data }'), IssueCodes.BadAddress, ['300.1.1.1:80'], /not an IPv4 address/);
        await expectReported(socketModel('client c connect [::1]:7000 { read -> Data }'), IssueCodes.BadAddress, []);
        await expectReported(socketModel('client c connect "db.example.com:5432" { read -> Data }'), IssueCodes.BadAddress, []);
    });
    it('bad-option-value: zero, negative, unit-less and unknown-unit durations, counts out of range', async () => {
        await expectReported(
            socketModel('client c connect 127.0.0.1:1 { timeout 0s  keepalive -3s  idle 5sec -> Lost  read -> Data }'),
            IssueCodes.BadOptionValue,
            ['0s', '-3s', '5sec'],
            /must be longer than zero|unknown unit 'sec'/
        );
        await expectReported(socketModel('client c connect 127.0.0.1:1 { timeout 3  read -> Data }'), IssueCodes.BadOptionValue, ['3'], /'3' has no unit: write 3ms, 3s, 3m or 3h/);
        await expectReported(
            socketModel('server s listen 0.0.0.0:7000 { backlog 0  session Worker  accept -> Acc }'),
            IssueCodes.BadOptionValue,
            ['0'],
            /'0' is out of range: write a count from 1 to 65535/,
            ['machine Worker { events X initial state W { on X -> W } connection peer { read -> X } }']
        );
    });
    it('conflicting-option-values: a heartbeat timeout not above its interval, and a reconnect range upside down', async () => {
        await expectReported(
            socketModel('client c connect 127.0.0.1:1 { heartbeat 5s timeout 5s -> Lost  reconnect 5s..100ms  read -> Data }'),
            IssueCodes.ConflictingOptionValues,
            ['5s', '100ms'],
            /heartbeat timeout \(5s\) must be longer than its interval \(5s\)|first must not be longer than the second/
        );
        await expectReported(socketModel('client c connect 127.0.0.1:1 { heartbeat 5s timeout 6s -> Lost  reconnect 5s..5s  read -> Data }'), IssueCodes.ConflictingOptionValues, []);
    });
    it('misplaced-option and repeated-option: options and socket events that do not fit the socket kind, and repeated ones', async () => {
        const model = socketModel('client c connect 127.0.0.1:1 { backlog 10  accept -> Acc  read -> Data  read -> Up }');
        await expectReported(model, IssueCodes.MisplacedOption, ['backlog 10', 'accept -> Acc'], /'backlog' does not fit a client: it belongs to server sockets|The 'accept' event does not fit a client/);
        await expectReported(model, IssueCodes.RepeatedOption, ['read -> Up'], /'read ->' is already given on line 4/);
    });
    it('missing-session and session-without-connection: a session on a server, and a connection in the session machine', async () => {
        await expectReported(socketModel('server s listen 0.0.0.0:7000 { accept -> Acc }'), IssueCodes.MissingSession, ['s'], /needs 'session MACHINE'/);
        await expectReported(
            socketModel('server s listen 0.0.0.0:7000 { session Worker  accept -> Acc }'),
            IssueCodes.SessionWithoutConnection,
            ['Worker'],
            /Machine 'Worker' has no 'connection' block/,
            ['machine Worker { events X initial state W { on X -> W } }']
        );
    });
    it('accepts a server whose session machine lives in another file, and every option in its place', async () => {
        const { diagnostics } = await validate(
            socketModel(
                'server s listen 0.0.0.0:7000 { reuseaddr  backlog 511  nodelay  keepalive 10s  session Worker  accept -> Acc  error -> Lost }',
                'client c connect localhost:7001 { timeout 3s  reconnect 100ms..5s  heartbeat 5s timeout 15s -> Lost  idle 30s -> Lost  connect -> Up  read -> Data  drain -> Up  close -> Lost  timeout -> Lost }'
            ),
            ['machine Worker { events X initial state W { on X -> W } connection peer { read -> X } }']
        );
        expect(diagnostics.filter((d) => d.severity === SEVERITY['error']).map((d) => d.message)).toEqual([]);
    });
    it('many-connections: one connection per session machine', async () => {
        await expectReported(
            `machine W { events X initial state S { on X -> S } connection a { read -> X } connection b { read -> X } }`,
            IssueCodes.ManyConnections,
            ['b'],
            /already has connection 'a'/
        );
    });
    it('self-session and bad-connect-target: connect on a socket that is not a client, and a machine that is its own session', async () => {
        const model = `machine M {
                events Data, Joined
                initial state A { on Data / connect peer  on Joined -> A }
                connection peer { read -> Data }
                server s listen 0.0.0.0:1 { session M  accept -> Joined }
            }`;
        await expectReported(model, IssueCodes.BadConnectTarget, ['peer'], /'connect' needs a client socket: 'peer' is a connection/);
        await expectReported(model, IssueCodes.SelfSession, ['M'], /cannot run itself as a session/);
    });
    it('asks for brackets around a bare IPv6 address (bad-address)', async () => {
        await expectReported(
            `machine M { events D initial state A { on D -> A } client c connect ::1:7000 { read -> D } }`,
            IssueCodes.BadAddress,
            ['::1:7000'],
            /IPv6 addresses go in brackets: \[::1\]:7000/
        );
    });
});

describe('ineffective-option', () => {
    const server = (members: string): string =>
        `machine S { events Acc, Quit initial state Up { on Acc -> Up  on Quit -> Down } final state Down server s listen 0.0.0.0:7000 { ${members} } signal SIGTERM -> Quit }
         machine Worker { events X, Gone initial state W { on X -> W  on Gone -> End } final state End connection peer { read -> X  close -> Gone } }`;
    it('warns that reuseaddr changes nothing, on the option, and the model still parses', async () => {
        await expectReported(
            server('reuseaddr  session Worker  accept -> Acc'),
            IssueCodes.IneffectiveOption,
            ['reuseaddr'],
            /^'reuseaddr' has no effect: Node always sets SO_REUSEADDR on listening sockets\. Remove it\.$/
        );
        const { diagnostics } = await validate(server('reuseaddr  session Worker  accept -> Acc'));
        expect(diagnostics.map((d) => d.code)).toEqual([IssueCodes.IneffectiveOption]);
        expect(diagnostics[0]!.tags).toEqual([1]); // DiagnosticTag.Unnecessary: editors grey it out
    });
    it('leaves a misplaced or repeated reuseaddr to misplaced-option and repeated-option, and says nothing without it', async () => {
        await expectReported(server('reuseaddr  session Worker  reuseaddr'), IssueCodes.IneffectiveOption, ['reuseaddr']);
        await expectReported(server('reuseaddr  session Worker  reuseaddr'), IssueCodes.RepeatedOption, ['reuseaddr']);
        const client = `machine C { events D initial state A { on D -> A } client c connect localhost:1 { reuseaddr  read -> D } }`;
        await expectReported(client, IssueCodes.IneffectiveOption, []);
        await expectReported(client, IssueCodes.MisplacedOption, ['reuseaddr']);
        await expectReported(server('nodelay  backlog 5  session Worker  accept -> Acc'), IssueCodes.IneffectiveOption, []);
    });
});

describe('bad-duration and bad-signal', () => {
    it('rejects a timer that waits zero or an unknown unit', async () => {
        await expectReported(
            `machine M { events Go initial state A { after 0ms -> B  on Go -> B } state B { after 2days -> A  on Go -> A } }`,
            IssueCodes.BadDuration,
            ['0ms', '2days'],
            /must be longer than zero|unknown unit 'days'/
        );
        await expectReported(`machine M { initial state A { after 1.5s -> A } }`, IssueCodes.BadDuration, []);
    });
    it('rejects uncatchable, unknown and twice-bound signals', async () => {
        await expectReported(
            `machine M {
                events Stop
                initial state A { on Stop -> Done }
                final state Done
                signal SIGKILL -> Stop
                signal sigterm -> Stop
                signal SIGINT -> Stop
                signal SIGINT -> Stop
            }`,
            IssueCodes.BadSignal,
            ['SIGKILL', 'sigterm', 'SIGINT'],
            /SIGKILL cannot be caught|did you mean SIGTERM\?|SIGINT is already bound on line 7/
        );
    });
});

describe('unresolved-reference', () => {
    it("carries Langium's linking-error data, so validation can stop after linking errors", async () => {
        const text = `machine Lamp { events Toggle initial state Off { on Toggle -> Onn } state On { on Toggle -> Off } }
            machine Job { events Run state Queued { on Run -> Queued } }`;
        await withDocuments([text], async ([document]) => {
            const unresolved = document!.diagnostics!.filter((d) => d.code === IssueCodes.UnresolvedReference);
            expect(unresolved.map((d) => d.data as unknown)).toEqual([
                { code: DocumentValidator.LinkingError, containerType: 'Transition', property: 'target', refText: 'Onn', referenceType: 'state', suggestion: 'On', suggestions: ['On'] }
            ]);
            expect(document!.diagnostics!.map((d) => d.code)).toContain(IssueCodes.NoInitial); // the checks ran
            const validator = services.validation.DocumentValidator;
            const stopped = await validator.validateDocument(document!, { stopAfterLinkingErrors: true });
            expect(stopped.map((d) => [d.code, d.message])).toEqual([[IssueCodes.UnresolvedReference, "Unknown state 'Onn'. Did you mean 'On'?"]]);
            expect((await validator.validateDocument(document!, { stopAfterLinkingErrors: false })).map((d) => d.code)).toContain(IssueCodes.NoInitial);
        });
    });
    it('suggests the closest declared name for events, states, sockets and machines', async () => {
        const { document, diagnostics } = await validate(`machine M {
            events Connected
            initial state Waiting { on Conected -> Onlin / close upstrem }
            state Online { on Connected -> Waiting }
            client upstream connect 127.0.0.1:1 { connect -> Connected }
            server s listen 0.0.0.0:1 { session Workr }
        }
        machine Worker { events X initial state W { on X -> W } connection p { read -> X } }`);
        const unresolved = diagnostics.filter((d) => d.code === IssueCodes.UnresolvedReference);
        expect(unresolved.map((d) => [rangeText(document, d), d.message, dataOf(d)?.suggestion])).toEqual([
            ['Conected', "Unknown event 'Conected'. Did you mean 'Connected'?", 'Connected'],
            ['Onlin', "Unknown state 'Onlin'. Did you mean 'Online'?", 'Online'],
            ['upstrem', "Unknown socket 'upstrem'. Did you mean 'upstream'?", 'upstream'],
            ['Workr', "Unknown machine 'Workr'. Did you mean 'Worker'?", 'Worker']
        ]);
        expect(unresolved.every((d) => d.severity === 1)).toBe(true);
    });
    it('names both candidates when two are equally close, and prefers an added letter to a changed one', async () => {
        const { document, diagnostics } = await validate(`machine M {
            events Go
            initial state Open { on Go -> Ope  on Go [later] -> Stoped }
            state Opex { on Go -> Open }
            state Stoked { on Go -> Open }
            final state Stopped
        }`);
        const unresolved = diagnostics.filter((d) => d.code === IssueCodes.UnresolvedReference);
        expect(unresolved.map((d) => [rangeText(document, d), d.message, dataOf(d)?.suggestion, dataOf(d)?.suggestions])).toEqual([
            ['Ope', "Unknown state 'Ope'. Did you mean 'Open' or 'Opex'?", 'Open', ['Open', 'Opex']],
            ['Stoped', "Unknown state 'Stoped'. Did you mean 'Stopped'?", 'Stopped', ['Stopped']]
        ]);
        const reversed = await validate(`machine M { events Go initial state Opex { on Go -> Ope } state Open { on Go -> Opex } }`);
        expect(reversed.diagnostics.map((d) => d.message)).toEqual(["Unknown state 'Ope'. Did you mean 'Opex' or 'Open'?"]); // source order
    });
    it('says how to declare a name nothing resembles', async () => {
        await expectReported(
            `machine M { events Go initial state A { on Zebra -> A  on Go -> A } }`,
            IssueCodes.UnresolvedReference,
            ['Zebra'],
            /^Unknown event 'Zebra': declare it in the machine's 'events' list\.$/
        );
    });
    it('does not see states or events of another machine', async () => {
        await expectReported(
            `machine A { events Go initial state S { on Go -> T } }
             machine B { events Other initial state T { on Other -> T } }`,
            IssueCodes.UnresolvedReference,
            ['T']
        );
    });
});

describe('syntax-error', () => {
    it('gives parser and lexer errors a code and a message in the user\'s words', async () => {
        const { document, diagnostics } = await validate(`machine M { events A B initial state S { on A -> } } %`);
        const syntax = diagnostics.filter((d) => d.code === IssueCodes.SyntaxError);
        expect(syntax.length).toBeGreaterThan(0);
        const missingBrace = syntax.find((d) => d.message === "Expected '}' but found 'B'. Separate names in a list with commas.");
        expect(missingBrace && rangeText(document, missingBrace)).toBe('B');
        expect(syntax.some((d) => d.message === "Unexpected character '%'.")).toBe(true);
        expect(syntax.every((d) => !/ID|QUANTITY|ADDRESS/.test(typeof d.message === 'string' ? d.message : ''))).toBe(true);
    });
    it('skips graph checks in a machine with a syntax error but keeps them in the others', async () => {
        const { diagnostics } = await validate(`machine Broken { events A initial state S { on -> S } state Orphan }
            machine Fine { events B initial state S { on B -> S } state Orphan }`);
        const codes = diagnostics.map((d) => `${String(d.code)}:${d.range.start.line}`);
        expect(codes).toContain('syntax-error:0');
        expect(codes).toContain('unreachable-state:1');
        expect(codes).not.toContain('unreachable-state:0');
    });
});

describe('clean models', () => {
    it('reports nothing for a model that uses the whole language correctly', async () => {
        await expectClean(`
            // A complete reactor: every construct, no problem.
            machine Gateway {
                events Connected, Data, Lost, Failed, Tick, Reload, Quit
                initial state Connecting {
                    on Connected -> Online
                    on Failed -> Waiting
                    on Quit -> Done
                }
                state Waiting {
                    after 500ms -> Connecting / connect link
                    on Quit -> Done
                }
                state Online {
                    entry greet, raise Tick
                    exit flush
                    on Data [valid] / handle
                    on Data [!valid] / reject
                    on Tick / poll
                    on Reload / reload
                    on Lost -> Waiting / close link
                    on Quit -> Done / close link
                }
                final state Done { entry bye }
                client link connect [::1]:9000 {
                    timeout 3s
                    nodelay
                    keepalive 10s
                    reconnect 100ms..5s
                    heartbeat 5s timeout 15s -> Lost
                    connect -> Connected
                    read -> Data
                    error -> Failed
                }
                signal SIGHUP -> Reload
                signal SIGTERM -> Quit
                signal SIGINT -> Quit
            }`);
    });
});

describe('checks added from review', () => {
    it('warns on a second transition with the same guard on one event', async () => {
        await expectReported(
            `machine M { events Go initial state A { on Go [ok] -> B  on Go [ok] / log  on Go [!ok] -> A } state B { on Go -> A } }`,
            IssueCodes.ShadowedTransition,
            ['ok'],
            /the one on line 1 has the same guard and is tried first/
        );
    });
    it('skips graph checks in a machine with an unresolved name', async () => {
        const { diagnostics } = await validate(`machine Lamp { events Toggle initial state Off { on Toggle -> Onn } state On { on Toggle -> Off } }`);
        expect(diagnostics.map((d) => d.code)).toEqual([IssueCodes.UnresolvedReference]);
    });
    it('reports an unclosed comment where it opens, inside or after a machine, once', async () => {
        for (const text of [`machine M { initial state A /* never closed`, `machine M { initial state A } /* never closed\n more`]) {
            const { document, diagnostics } = await validate(text);
            const unclosed = diagnostics.filter((d) => d.message === "Unclosed comment: '/*' needs a matching '*/'.");
            expect(unclosed.map((d) => [d.code, rangeText(document, d)])).toEqual([[IssueCodes.SyntaxError, '/*']]);
        }
    });
    it('does not report a duplicated state as unreachable, and says "an event"', async () => {
        const { diagnostics } = await validate(`machine M { events Go, Go initial state A { on Go -> A } state A }`);
        expect(diagnostics.filter((d) => d.code === IssueCodes.UnreachableState)).toEqual([]);
        expect(diagnostics.map((d) => d.message)).toContain("Duplicate event name 'Go': machine 'M' already has an event called that (line 1).");
    });
    it('suggests the missing comma between two names', async () => {
        const { diagnostics } = await validate(`machine M { events Go Stop initial state A }`);
        expect(diagnostics[0]!.message).toBe("Expected '}' but found 'Stop'. Separate names in a list with commas.");
    });
});

/** What an unresolved reference's diagnostic carries for its quick fixes (the LSP types it as `any`). */
function dataOf(diagnostic: { data?: unknown }): UnresolvedReferenceData | undefined {
    return diagnostic.data as UnresolvedReferenceData | undefined;
}

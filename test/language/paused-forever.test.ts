// The check paused-forever: a `pause` after which nothing can make the machine read the socket again, flat and nested.
import { describe, expect, it } from 'vitest';
import { summarize, validate } from '../helpers.js';

/** The paused-forever warnings of a model, as `code@text:line` (0-based), and their messages. */
async function paused(text: string): Promise<{ at: string[]; messages: string[] }> {
    const { document, diagnostics } = await validate(text);
    const found = diagnostics.filter((d) => d.code === 'paused-forever');
    return { at: summarize(document, found).map((line, i) => `${line}:${found[i]!.range.start.line}`), messages: found.map((d) => (typeof d.message === 'string' ? d.message : d.message.value)) };
}

/** Every diagnostic code of a model but unused-event (the models below share one list of events). */
async function codes(text: string): Promise<string[]> {
    const { diagnostics } = await validate(text);
    return diagnostics.map((d) => String(d.code)).filter((code) => code !== 'unused-event');
}

/** A flat client machine: `Line` comes from the client's reads, `Lost` from its close; `states` go after `Waiting`. */
function flat(waiting: string, states: string, extra = ''): string {
    return `machine Worker {
    events Line, Lost, Go
    initial state Waiting {
        ${waiting}
        on Lost -> Gone
    }
    ${states}
    final state Gone
    client feed connect 127.0.0.1:7000 {
        read -> Line
        close -> Lost
        ${extra}
    }
}`;
}

describe('paused-forever on a flat machine', () => {
    it('warns on a pause after which only the paused socket could lead on', async () => {
        const model = flat('on Line -> Working / pause feed, work', 'state Working { after 2s -> Waiting\n on Lost -> Gone }');
        const { diagnostics, document } = await validate(model);
        const found = diagnostics.filter((d) => d.code !== 'unused-event');
        expect(summarize(document, found)).toEqual(['paused-forever@feed']);
        expect(found[0]!.range.start.line).toBe(3);
        expect(found[0]!.message).toBe(
            "'feed' is paused here (in state 'Waiting') and nothing after it runs 'resume feed' or 'close feed' or finishes the machine: its reads, and its close, will never come, nor will 'Line' and 'Lost', which come only from it. Add 'resume feed' where the machine should read again."
        );
    });

    it('reads a pause on a transition without a target in the state it stays in', async () => {
        expect((await paused(flat('on Line / pause feed', ''))).at).toEqual(['paused-forever@feed:3']);
        expect((await paused(flat('on Line / pause feed\n after 1s -> Waiting / resume feed', ''))).at).toEqual([]);
    });

    it('is quiet when a timer later resumes it', async () => {
        expect(await codes(flat('on Line -> Working / pause feed, work', 'state Working { after 2s -> Waiting / resume feed\n on Lost -> Gone }'))).toEqual([]);
    });

    it('warns when the resume waits for an event only the paused socket reads', async () => {
        const model = flat('on Line -> Working / pause feed', 'state Working { on Line -> Waiting / resume feed\n on Lost -> Gone }');
        const { at, messages } = await paused(model);
        expect(at).toEqual(['paused-forever@feed:3']);
        expect(messages[0]).toContain("nor will 'Line' and 'Lost', which come only from it.");
    });

    it('takes an error event that another socket also produces as possible', async () => {
        const model = (producer: string): string => `machine M {
    events Line, Failed
    initial state A { on Line -> B / pause feed }
    state B { on Failed -> A / resume feed }
    client feed connect 127.0.0.1:7000 { read -> Line  error -> Failed }
    ${producer}
}`;
        expect((await paused(model(''))).at).toEqual(['paused-forever@feed:2']);
        expect((await paused(model('client other connect 127.0.0.1:7001 { error -> Failed }'))).at).toEqual([]);
        expect((await paused(model('signal SIGHUP -> Failed'))).at).toEqual([]);
    });

    it('takes an event nothing in the machine produces as possible (user code may dispatch it)', async () => {
        const model = flat('on Line -> Working / pause feed', 'state Working { on Go -> Waiting / resume feed\n on Lost -> Gone }');
        expect((await paused(model)).at).toEqual([]);
    });

    it('takes the socket\'s own drain, idle and heartbeat events as possible', async () => {
        const drain = flat('on Line -> Working / pause feed', 'state Working { on Go -> Waiting / resume feed\n on Lost -> Gone }', 'drain -> Go');
        expect((await paused(drain)).at).toEqual([]);
        const idle = flat('on Line -> Working / pause feed', 'state Working { on Go -> Waiting / resume feed\n on Lost -> Gone }', 'idle 5s -> Go');
        expect((await paused(idle)).at).toEqual([]);
    });

    it('is quiet when close, stop, connect or a final state follows, and warns when a self-loop timer is all there is', async () => {
        expect(await codes(flat('on Line -> Working / pause feed', 'state Working { after 2s -> Waiting / close feed\n on Lost -> Gone }'))).toEqual([]);
        expect((await paused(flat('on Line -> Working / pause feed', 'state Working { after 2s -> Waiting / stop\n on Lost -> Gone }'))).at).toEqual([]);
        // A new connection starts reading: a connect of a client that is not open ends the pause.
        expect((await paused(flat('on Line -> Working / pause feed', 'state Working { after 2s -> Waiting / connect feed\n on Lost -> Gone }'))).at).toEqual([]);
        expect(await codes(flat('on Line -> Working / pause feed', 'state Working { after 2s -> Gone\n on Lost -> Gone }'))).toEqual([]);
        expect((await paused(flat('on Line -> Working / pause feed', 'state Working { after 2s -> Working\n on Lost -> Gone }'))).at).toEqual(['paused-forever@feed:3']);
    });

    it('is quiet when the same action list or the target\'s entry resumes, or a close before it makes the pause moot', async () => {
        expect((await paused(flat('on Line -> Working / pause feed, work, resume feed', 'state Working { after 2s -> Waiting\n on Lost -> Gone }'))).at).toEqual([]);
        expect((await paused(flat('on Line -> Working / pause feed', 'state Working { entry resume feed\n after 2s -> Waiting\n on Lost -> Gone }'))).at).toEqual([]);
        expect((await paused(flat('on Line -> Working / close feed, pause feed', 'state Working { after 2s -> Waiting\n on Lost -> Gone }'))).at).toEqual([]);
        // A resume before the pause does not count.
        expect((await paused(flat('on Line -> Working / resume feed, pause feed', 'state Working { after 2s -> Waiting\n on Lost -> Gone }'))).at).toEqual(['paused-forever@feed:3']);
    });

    it('reads an entry pause with an exit resume: quiet when the state can be left while paused, warned when not', async () => {
        const left = flat('after 1s -> Working', 'state Working { entry pause feed\n exit resume feed\n after 2s -> Waiting\n on Lost -> Gone }');
        expect(await codes(left)).toEqual([]);
        const kept = flat('after 1s -> Working', 'state Working { entry pause feed\n exit resume feed\n on Line -> Waiting\n on Lost -> Gone }');
        const { at, messages } = await paused(kept);
        expect(at).toEqual(['paused-forever@feed:6']);
        expect(messages[0]).toContain("(on entering 'Working')");
    });

    it('reads an exit pause: warned when nothing after the leaving resumes', async () => {
        const model = flat('on Line -> Working', 'state Working { exit pause feed\n after 2s -> Waiting\n on Lost -> Gone }');
        const { at, messages } = await paused(model);
        expect(at).toEqual(['paused-forever@feed:6']);
        expect(messages[0]).toContain("(on leaving 'Working')");
        expect((await paused(flat('on Line -> Working', 'state Working { exit pause feed\n after 2s -> Waiting / resume feed\n on Lost -> Gone }'))).at).toEqual([]);
    });

    it('follows the states reachable while paused, not only the next one', async () => {
        const far = flat('on Line -> One / pause feed', 'state One { after 1s -> Two\n on Lost -> Gone }\n state Two { after 1s -> Waiting / resume feed\n on Lost -> Gone }');
        expect(await codes(far)).toEqual([]);
        const cut = flat('on Line -> One / pause feed', 'state One { on Line -> Two\n on Lost -> Gone }\n state Two { after 1s -> Waiting / resume feed\n on Lost -> Gone }');
        expect((await paused(cut)).at).toEqual(['paused-forever@feed:3']);
    });

    it('holds a session\'s connection: its close does not finish the session while paused', async () => {
        const model = (resume: string): string => `machine Server {
    initial state Up
    server web listen 127.0.0.1:8080 { session Talk }
}
machine Talk {
    events Line, Gone
    initial state Reading {
        on Line -> Busy / pause peer
        on Gone -> Done
    }
    state Busy {
        after 1s -> Reading${resume}
        on Gone -> Done
    }
    final state Done
    connection peer { read -> Line  close -> Gone }
}`;
        expect((await paused(model(''))).at).toEqual(['paused-forever@peer:7']);
        expect((await paused(model(' / resume peer'))).at).toEqual([]);
    });
});

describe('paused-forever on a hierarchical machine', () => {
    it('is quiet when a parent transition on an external event leads to a resume', async () => {
        const model = `machine Nested {
    events Line, Lost, Cancel
    initial state Session {
        on Cancel -> Idle
        on Lost -> Gone
        initial state Busy {
            entry pause feed
            on Line -> Busy
        }
    }
    state Idle {
        entry resume feed
        on Line -> Session
        on Lost -> Gone
    }
    final state Gone
    client feed connect 127.0.0.1:7000 { read -> Line  close -> Lost }
}`;
        expect((await paused(model)).at).toEqual([]);
        // Without the parent's way out (Cancel is dispatched by user code), the pause holds for good.
        const { at, messages } = await paused(model.replace('on Cancel -> Idle', ''));
        expect(at).toEqual(['paused-forever@feed:6']);
        expect(messages[0]).toContain("(on entering 'Busy')");
    });

    it('counts an inner state\'s exit resume when a parent transition leaves it', async () => {
        const model = (exit: string): string => `machine Nested {
    events Line, Lost
    initial state Outer {
        after 5s -> Rest
        on Lost -> Gone
        initial state Inner {
            entry pause feed
            ${exit}
            on Line -> Inner
        }
    }
    state Rest {
        on Line -> Outer
        on Lost -> Gone
    }
    final state Gone
    client feed connect 127.0.0.1:7000 { read -> Line  close -> Lost }
}`;
        expect((await paused(model('exit resume feed'))).at).toEqual([]);
        expect((await paused(model(''))).at).toEqual(['paused-forever@feed:6']);
    });

    it('runs entries outermost first and exits innermost first', async () => {
        const model = (outer: string, inner: string): string => `machine Nested {
    events Line, Lost
    initial state Idle {
        on Line -> Outer
        on Lost -> Gone
    }
    state Outer {
        ${outer}
        on Lost -> Gone
        after 1s -> Idle
        initial state Inner {
            ${inner}
        }
    }
    final state Gone
    client feed connect 127.0.0.1:7000 { read -> Line  close -> Lost }
}`;
        expect((await paused(model('entry pause feed', 'entry resume feed'))).at).toEqual([]);
        expect((await paused(model('entry resume feed\n on Line -> Idle', 'entry pause feed'))).at).toEqual(['paused-forever@feed:12']);
        expect((await paused(model('exit resume feed', 'exit pause feed'))).at).toEqual([]);
        expect((await paused(model('exit pause feed', 'exit resume feed'))).at).toEqual(['paused-forever@feed:7']);
    });

    it('follows a history back to the state that resumes', async () => {
        const model = (back: string): string => `machine Nested {
    events Line, Lost, Break
    initial state Job {
        on Lost -> Gone
        history h
        initial state Step1 { on Line -> Step2 }
        state Step2 {
            entry resume feed
            on Break -> Rest
        }
    }
    state Rest {
        entry pause feed
        after 1s -> ${back}
        on Lost -> Gone
    }
    final state Gone
    client feed connect 127.0.0.1:7000 { read -> Line  close -> Lost }
}`;
        expect((await paused(model('h'))).at).toEqual([]);
        expect((await paused(model('Job'))).at).toEqual(['paused-forever@feed:12']);
    });

    it('counts on done once the composite reaches its final child while paused', async () => {
        const model = (inner: string): string => `machine Nested {
    events Line, Lost
    initial state Idle {
        on Line -> Job / pause feed
        on Lost -> Gone
    }
    state Job {
        on done -> Idle / resume feed
        on Lost -> Gone
        initial state Step { ${inner} }
        final state Finished
    }
    final state Gone
    client feed connect 127.0.0.1:7000 { read -> Line  close -> Lost }
}`;
        expect((await paused(model('after 1s -> Finished'))).at).toEqual([]);
        expect((await paused(model('on Line -> Finished'))).at).toEqual(['paused-forever@feed:3']);
    });

    it('reads another region that can resume as able to do so whatever this one does', async () => {
        const model = (other: string): string => `machine Split {
    events Line, Lost
    initial parallel state Both {
        on Lost -> Gone
        region reader {
            initial state Take {
                on Line -> Hold / pause feed
            }
            state Hold {
                on Line -> Take
            }
        }
        region clock {
            initial state Tick {
                ${other}
            }
        }
    }
    final state Gone
    client feed connect 127.0.0.1:7000 { read -> Line  close -> Lost }
}`;
        expect((await paused(model('after 1s -> Tick / resume feed'))).at).toEqual([]);
        expect((await paused(model('after 1s -> Tick'))).at).toEqual(['paused-forever@feed:6']);
    });
});

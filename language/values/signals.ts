// The POSIX signals a Node program can catch, and what to say about the others.

/** Signals Node lets a program listen for and that make sense as machine events. */
export const CATCHABLE_SIGNALS = [
    'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGBREAK', 'SIGWINCH',
    'SIGPIPE', 'SIGCHLD', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGVTALRM', 'SIGPROF'
] as const;

/** Signals no process can handle. */
export const UNCATCHABLE_SIGNALS = ['SIGKILL', 'SIGSTOP'] as const;

function isCatchable(name: string): boolean {
    return (CATCHABLE_SIGNALS as readonly string[]).includes(name);
}

/** Why `name` cannot be bound to an event, or undefined when it can. */
export function signalProblem(name: string): string | undefined {
    if ((UNCATCHABLE_SIGNALS as readonly string[]).includes(name)) {
        return `${name} cannot be caught by any process: bind SIGTERM or SIGINT instead.`;
    }
    if (!isCatchable(name)) {
        const upper = name.toUpperCase();
        const hint = isCatchable(upper) ? upper : isCatchable(`SIG${upper}`) ? `SIG${upper}` : undefined;
        return `'${name}' is not a signal a program can handle${hint ? `: did you mean ${hint}?` : ` (one of ${CATCHABLE_SIGNALS.slice(0, 6).join(', ')}, …).`}`;
    }
    return undefined;
}

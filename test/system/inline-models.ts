// Small models the system-check tests write inline: a server whose sessions run a given machine, and a client that
// connects and waits for a line that never comes.

/** `server` listens on `address`; each connection runs a `session` machine that ends when its peer closes. */
export function sessionServer(server: string, session: string, address: string): string {
    return `machine ${server} {
    events ListenFailed
    initial state Serving {
        on ListenFailed -> Stopped
    }
    final state Stopped

    server listener listen ${address} {
        session ${session}
        error -> ListenFailed
    }
}

machine ${session} {
    events Gone
    initial state Open {
        on Gone -> Closed
    }
    final state Closed

    connection peer {
        framing lines
        close -> Gone
    }
}
`;
}

/** A client `name` that connects to 127.0.0.1:`port` and waits for a line that never comes. */
export function waitingClient(name: string, port: number): string {
    return `machine ${name} {
    events Up, Line, Failed
    initial state Connecting {
        on Up -> Waiting
        on Failed -> Waiting
    }
    state Waiting {
        on Line -> Done
    }
    final state Done

    client upstream connect 127.0.0.1:${port} {
        framing lines
        connect -> Up
        read -> Line
        error -> Failed
    }
}
`;
}

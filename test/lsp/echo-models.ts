// The echo server and its session machine, in two files: the cross-file part of the workspace both language-server
// suites (test/lsp/server.test.ts, test/robustness/lsp-abuse.test.ts) open. Both files are clean.

/** The session machine, declared in its own file (session.fsm). */
export const SESSION = `// The per-connection machine, declared apart from the server that runs it.
machine EchoSession {
    events Data, PeerClosed, Failed
    initial state Open {
        on Data / echo
        on PeerClosed -> Closed
        on Failed -> Closed
    }
    final state Closed

    connection peer {
        read -> Data
        close -> PeerClosed
        error -> Failed
    }
}
`;

/** A server whose sessions run the machine of session.fsm (server.fsm). */
export const SERVER_MODEL = `// A server whose sessions run the machine of session.fsm.
machine EchoServer {
    events Joined, Shutdown
    initial state Serving {
        on Joined / countClient
        on Shutdown -> Stopped
    }
    final state Stopped

    server listener listen 127.0.0.1:7000 {
        session EchoSession
        accept -> Joined
    }
    signal SIGTERM -> Shutdown
}
`;

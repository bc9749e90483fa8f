// Socket addresses from the model, overridable per socket from the environment (deployments, tests on free ports).

export interface Address {
    host: string;
    port: number;
}

/** An address override that is not `HOST:PORT`: the program refuses to start (one line on stderr, exit status 2). */
export class AddressError extends Error {
    constructor(
        readonly variable: string,
        readonly value: string
    ) {
        super(`${variable}=${JSON.stringify(value)} is not an address: expected HOST:PORT, like 127.0.0.1:7000, db-1.internal:5432 or [::1]:7000 (port 0-65535)`);
        this.name = 'AddressError';
    }
}

const IPV4 = /^[0-9]+(?:\.[0-9]+){3}$/;
const HOST_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/** Parses `HOST:PORT` (`[::1]:7000` for IPv6); undefined when malformed. */
export function parseAddress(text: string): Address | undefined {
    const match = /^(?:\[([^\]]*)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(text);
    if (!match) {
        return undefined;
    }
    const port = Number(match[3]);
    const host = match[1] ?? match[2]!;
    const hostOk = match[1] !== undefined ? IPV6.test(host) : IPV4.test(host) ? host.split('.').every((part) => Number(part) <= 255) : HOST_NAME.test(host);
    return hostOk && port <= 65535 ? { host, port } : undefined;
}

/**
 * The address for a socket: `HOST:PORT` from the environment variable `variable` when set
 * (`[::1]:7000` for IPv6), else the model's. A malformed override is an AddressError, not a silent fallback.
 */
export function addressFromEnv(variable: string, host: string, port: number, env: NodeJS.ProcessEnv = process.env): Address {
    const override = env[variable];
    if (override === undefined || override === '') {
        return { host, port };
    }
    const address = parseAddress(override);
    if (!address) {
        throw new AddressError(variable, override);
    }
    return address;
}

/** Checks the overrides of `variables` before anything starts: the first malformed one's message, or undefined. */
export function checkAddressOverrides(variables: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
    for (const variable of variables) {
        const override = env[variable];
        if (override !== undefined && override !== '' && !parseAddress(override)) {
            return new AddressError(variable, override).message;
        }
    }
    return undefined;
}

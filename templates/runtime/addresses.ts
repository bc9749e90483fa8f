// Socket addresses from the model, overridable per socket from the environment (deployments, tests on free ports).

/** A TCP address, or a Unix domain socket when `path` is set (then `host` and `port` are unused). */
export interface Address {
    host: string;
    port: number;
    path?: string;
}

/** An address override that is not `HOST:PORT` nor `unix:PATH`: the program refuses to start (one line on stderr, exit status 2). */
export class AddressError extends Error {
    constructor(
        readonly variable: string,
        readonly value: string
    ) {
        super(`${variable}=${JSON.stringify(value)} is not an address: expected HOST:PORT, like 127.0.0.1:7000, db-1.internal:5432 or [::1]:7000 (port 0-65535), or unix:PATH (at most 107 bytes)`);
        this.name = 'AddressError';
    }
}

const IPV4 = /^[0-9]+(?:\.[0-9]+){3}$/;
const HOST_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;
/** The longest Unix domain socket path on Linux (sun_path holds 108 bytes with the NUL). */
const MAX_UNIX_PATH_BYTES = 107;

/** Parses `HOST:PORT` (`[::1]:7000` for IPv6) or `unix:PATH`; undefined when malformed. */
export function parseAddress(text: string): Address | undefined {
    if (text.startsWith('unix:')) {
        const path = text.slice('unix:'.length);
        return path !== '' && !path.includes('\0') && Buffer.byteLength(path) <= MAX_UNIX_PATH_BYTES ? { host: '', port: 0, path } : undefined;
    }
    const match = /^(?:\[([^\]]*)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(text);
    if (!match) {
        return undefined;
    }
    const port = Number(match[3]);
    const host = match[1] ?? match[2]!;
    const hostOk = match[1] !== undefined ? IPV6.test(host) : IPV4.test(host) ? host.split('.').every((part) => Number(part) <= 255) : HOST_NAME.test(host);
    return hostOk && port <= 65535 ? { host, port } : undefined;
}

/** An address as people write it: `127.0.0.1:7000`, `[::1]:7000`, `unix:/run/app.sock`. */
export function describeAddress(address: Address): string {
    if (address.path !== undefined) {
        return `unix:${address.path}`;
    }
    return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * The address for a socket: `HOST:PORT` or `unix:PATH` from the environment variable `variable` when set, else the
 * model's. A malformed override is an AddressError, not a silent fallback.
 */
export function addressFromEnv(variable: string, model: Address, env: NodeJS.ProcessEnv = process.env): Address {
    const override = env[variable];
    if (override === undefined || override === '') {
        return model;
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

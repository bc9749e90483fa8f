// `HOST:PORT` as written in a model (`127.0.0.1:7000`, `localhost:7000`, `[::1]:7000`), or `unix:PATH`, split and checked.
import type { Parsed } from './quantities.js';

/** A TCP address (`path` absent), or a Unix domain socket (`path`; then `host` is '' and `port` 0). */
export interface SocketAddress {
    host: string;
    port: number;
    path?: string;
}

/** The longest path a Unix domain socket may have on Linux (`sun_path` holds 108 bytes with the terminating NUL). */
export const MAX_UNIX_PATH_BYTES = 107;

/** `unix:PATH`: a path, relative to the working directory or absolute, short enough for the kernel. */
function parseUnixAddress(text: string): Parsed<SocketAddress> {
    const path = text.slice('unix:'.length);
    if (path === '') {
        return { ok: false, message: `'${text}' needs a path: write unix:PATH, like unix:/run/app.sock.` };
    }
    if (path.includes('\0')) {
        return { ok: false, message: `'${text}': a socket path cannot hold a NUL character.` };
    }
    const bytes = Buffer.byteLength(path);
    if (bytes > MAX_UNIX_PATH_BYTES) {
        return { ok: false, message: `The socket path has ${bytes} bytes: Unix domain socket paths have at most ${MAX_UNIX_PATH_BYTES}. Use a shorter one (e.g. under /run or /tmp).` };
    }
    return { ok: true, value: { host: '', port: 0, path } };
}

const IPV4_LIKE = /^[0-9.]+$/;
const HOSTNAME_LABEL = /^[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/;

function checkIpv4(host: string): string | undefined {
    const parts = host.split('.');
    if (parts.length !== 4 || parts.some((part) => part === '' || part.length > 3 || Number(part) > 255)) {
        return `'${host}' is not an IPv4 address: write four numbers from 0 to 255, like 127.0.0.1.`;
    }
    return undefined;
}

function checkIpv6(host: string): string | undefined {
    const groups = host.split('::');
    const parts = host.split(':').filter((part) => part !== '');
    const valid =
        groups.length <= 2 &&
        parts.every((part) => /^[0-9a-fA-F]{1,4}$/.test(part) || (part === parts[parts.length - 1] && checkIpv4(part) === undefined)) &&
        (groups.length === 2 ? parts.length < 8 : parts.length === 8);
    return valid ? undefined : `'${host}' is not an IPv6 address.`;
}

function checkHostname(host: string): string | undefined {
    if (host.length > 253 || !host.split('.').every((label) => HOSTNAME_LABEL.test(label))) {
        return `'${host}' is not a valid host name.`;
    }
    return undefined;
}

/**
 * Splits `HOST:PORT` (a quoted address arrives here without its quotes) and checks the host's form and the port's range;
 * `unix:PATH` names a Unix domain socket.
 */
export function parseAddress(text: string): Parsed<SocketAddress> {
    if (text.startsWith('unix:')) {
        return parseUnixAddress(text);
    }
    const colon = text.lastIndexOf(':');
    if (colon <= 0) {
        return { ok: false, message: `'${text}' needs a port: write HOST:PORT, like 127.0.0.1:7000.` };
    }
    const rawHost = text.slice(0, colon);
    const rawPort = text.slice(colon + 1);
    const bracketed = rawHost.startsWith('[') && rawHost.endsWith(']');
    const host = bracketed ? rawHost.slice(1, -1) : rawHost;
    const hostProblem = bracketed ? checkIpv6(host) : IPV4_LIKE.test(host) ? checkIpv4(host) : host.includes(':') ? `IPv6 addresses go in brackets: [${host}]:${rawPort}.` : checkHostname(host);
    if (hostProblem) {
        return { ok: false, message: hostProblem };
    }
    if (!/^[0-9]+$/.test(rawPort)) {
        return { ok: false, message: `Port '${rawPort}' is not a number: write HOST:PORT, like 127.0.0.1:7000.` };
    }
    if (Number(rawPort) > 65535) {
        return { ok: false, message: `Port '${rawPort}' is outside 0–65535.` };
    }
    return { ok: true, value: { host, port: Number(rawPort) } };
}

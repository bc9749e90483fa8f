// TLS for clients and servers: the PEM files a model names (`tls { ca … cert … key … servername … }`), overridable per
// socket from the environment, read when connecting or listening (so a renewed certificate is used from the next one).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions, TlsOptions } from 'node:tls';

/** Paths of PEM files, relative to the program's working directory; `servername` is a host name, not a path. */
export interface TlsFiles {
    /** The CA that signs the peer's certificate: a client trusts only it (default: Node's CAs); a server requires client certificates signed by it. */
    ca?: string;
    /** Our certificate (chain): a server's, or a client's for mutual TLS. */
    cert?: string;
    /** The private key of `cert`. */
    key?: string;
    /** A client's SNI, and the name its server's certificate must have (default: the host, when it is a name). */
    servername?: string;
}

type TlsFileSetting = 'ca' | 'cert' | 'key';

const SETTINGS: ReadonlyArray<[keyof TlsFiles, string]> = [
    ['ca', 'CA'],
    ['cert', 'CERT'],
    ['key', 'KEY'],
    ['servername', 'SERVERNAME']
];

/**
 * The TLS files for a socket: each of `PREFIX_TLS_CA`, `PREFIX_TLS_CERT`, `PREFIX_TLS_KEY` and `PREFIX_TLS_SERVERNAME`
 * replaces the model's value when set and not empty (the prefix is the one the socket's address override uses).
 */
export function tlsFromEnv(prefix: string, model: TlsFiles, env: NodeJS.ProcessEnv = process.env): TlsFiles {
    const files: TlsFiles = { ...model };
    for (const [setting, suffix] of SETTINGS) {
        const override = env[`${prefix}_TLS_${suffix}`];
        if (override !== undefined && override !== '') {
            files[setting] = override;
        }
    }
    return files;
}

/**
 * A TLS setting that cannot be used: a file that cannot be read (`code` is the errno code: ENOENT, EACCES, …), PEM
 * that Node refuses (the OpenSSL code), or a server without a certificate and key (ERR_TLS_CERT_REQUIRED).
 */
export class TlsSetupError extends Error {
    constructor(
        readonly code: string,
        message: string,
        /** The setting at fault (`cert`, …), and its file, where one is. */
        readonly setting?: TlsFileSetting,
        readonly file?: string
    ) {
        super(message);
        this.name = 'TlsSetupError';
    }
}

/** The PEM contents of the files given. */
export interface TlsPem {
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
}

/** Reads the files `files` names; a file that cannot be read is a TlsSetupError naming the setting and the file. */
export function readTlsFiles(files: TlsFiles): TlsPem {
    const pem: TlsPem = {};
    for (const setting of ['ca', 'cert', 'key'] as const) {
        const file = files[setting];
        if (file === undefined) {
            continue;
        }
        try {
            pem[setting] = readFileSync(file);
        } catch (error) {
            const cause = error as NodeJS.ErrnoException;
            throw new TlsSetupError(cause.code ?? 'EIO', `cannot read the tls ${setting} file ${JSON.stringify(file)}: ${cause.message}`, setting, file);
        }
    }
    return pem;
}

/**
 * Options for `tls.connect` to `host`: trust only `ca` when given (else Node's CAs), present `cert`+`key` when given,
 * and send SNI and check the server's name: `servername`, else the host when it is a name (an IP is checked as an IP).
 */
export function clientTlsOptions(files: TlsFiles, host: string): ConnectionOptions {
    const pem = readTlsFiles(files);
    const servername = files.servername ?? (host !== '' && isIP(host) === 0 ? host : undefined);
    return {
        ...pem,
        ...(servername !== undefined ? { servername } : {}),
        rejectUnauthorized: true
    };
}

/** Options for `tls.createServer`: `cert` and `key` are required; `ca` given, clients must present a certificate it signed. */
export function serverTlsOptions(files: TlsFiles): TlsOptions {
    if (files.cert === undefined || files.key === undefined) {
        throw new TlsSetupError('ERR_TLS_CERT_REQUIRED', `a tls server needs a cert and a key file (${files.cert === undefined ? 'no cert' : 'no key'} given)`);
    }
    const pem = readTlsFiles(files);
    const mutual = pem.ca !== undefined;
    return { ...pem, requestCert: mutual, rejectUnauthorized: mutual };
}

/** Node's own error for PEM it cannot use (thrown by `tls.connect` or `tls.createServer`), as a TlsSetupError. */
export function tlsSetupFailure(error: unknown): Error {
    if (error instanceof TlsSetupError) {
        return error;
    }
    const cause = error as NodeJS.ErrnoException;
    return new TlsSetupError(cause.code ?? 'ERR_TLS_SETUP', `cannot use the tls files: ${cause.message}`);
}

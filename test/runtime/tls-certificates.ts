// Test certificates made with the openssl CLI in a temporary folder: a CA and what it signs (a server certificate for
// 127.0.0.1 and localhost, a client certificate, one for a wrong name, an expired one), another CA, and a self-signed one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

/** A key and its certificate, as PEM file paths. */
export interface KeyPair {
    cert: string;
    key: string;
}

export interface TestCertificates {
    folder: string;
    /** The CA that signs server, client, wrongName and expired. */
    ca: string;
    /** Another CA, which signed none of them. */
    otherCa: string;
    /** For 127.0.0.1 and localhost. */
    server: KeyPair;
    /** A client certificate (clientAuth). */
    client: KeyPair;
    /** Self-signed, for 127.0.0.1 and localhost. */
    selfSigned: KeyPair;
    /** Signed by the CA, for wrong.example only. */
    wrongName: KeyPair;
    /** Signed by the CA for 127.0.0.1 and localhost, valid in January 2020 only. */
    expired: KeyPair;
    remove(): void;
}

function openssl(folder: string, ...args: string[]): void {
    execFileSync(OPENSSL, args, { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const SERVER_NAMES = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

/** A self-signed CA `name`.pem with its key `name`.key. */
function makeCa(folder: string, name: string): void {
    openssl(folder, 'req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=Reactor test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

/** A key and a certificate request for `name`. */
function makeRequest(folder: string, name: string): void {
    openssl(folder, 'req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
}

/** `name`.pem signed by the CA `ca`, with the extensions given. */
function sign(folder: string, ca: string, name: string, extensions: string): KeyPair {
    writeFileSync(path.join(folder, `${name}.ext`), extensions);
    openssl(folder, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
    return { cert: path.join(folder, `${name}.pem`), key: path.join(folder, `${name}.key`) };
}

/** A certificate valid only in the past: `openssl ca` takes explicit start and end dates (`x509 -days` cannot be negative). */
function signExpired(folder: string, ca: string, name: string): KeyPair {
    const db = path.join(folder, 'ca-db');
    mkdirSync(db, { recursive: true });
    writeFileSync(path.join(db, 'index.txt'), '');
    writeFileSync(path.join(db, 'serial'), '1000\n');
    writeFileSync(
        path.join(folder, 'ca.cnf'),
        [
            '[ca]',
            'default_ca = test_ca',
            '[test_ca]',
            `dir = ${db}`,
            'database = $dir/index.txt',
            'serial = $dir/serial',
            'new_certs_dir = $dir',
            `certificate = ${path.join(folder, `${ca}.pem`)}`,
            `private_key = ${path.join(folder, `${ca}.key`)}`,
            'default_md = sha256',
            'policy = any_policy',
            'x509_extensions = server_ext',
            'unique_subject = no',
            '[any_policy]',
            'commonName = supplied',
            '[server_ext]',
            'subjectAltName = IP:127.0.0.1,DNS:localhost',
            ''
        ].join('\n')
    );
    openssl(folder, 'ca', '-batch', '-config', 'ca.cnf', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z');
    return { cert: path.join(folder, `${name}.pem`), key: path.join(folder, `${name}.key`) };
}

/** Makes every test certificate in a new temporary folder (a second or two of openssl). */
export function makeTestCertificates(): TestCertificates {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'rfsm-tls-'));
    try {
        makeCa(folder, 'ca');
        makeCa(folder, 'other-ca');
        for (const name of ['server', 'client', 'wrong-name', 'expired']) {
            makeRequest(folder, name);
        }
        openssl(folder, 'req', '-x509', ...EC_KEY, '-keyout', 'self-signed.key', '-out', 'self-signed.pem', '-days', '30', '-subj', '/CN=self-signed', '-addext', SERVER_NAMES);
        return {
            folder,
            ca: path.join(folder, 'ca.pem'),
            otherCa: path.join(folder, 'other-ca.pem'),
            server: sign(folder, 'ca', 'server', `${SERVER_NAMES}\nextendedKeyUsage=serverAuth\n`),
            client: sign(folder, 'ca', 'client', 'extendedKeyUsage=clientAuth\n'),
            selfSigned: { cert: path.join(folder, 'self-signed.pem'), key: path.join(folder, 'self-signed.key') },
            wrongName: sign(folder, 'ca', 'wrong-name', 'subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n'),
            expired: signExpired(folder, 'ca', 'expired'),
            remove: () => rmSync(folder, { recursive: true, force: true })
        };
    } catch (error) {
        rmSync(folder, { recursive: true, force: true });
        throw error;
    }
}

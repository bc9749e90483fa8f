// Socket addresses from the model, overridable per socket from the environment (deployments, tests on free ports).

export interface Address {
    host: string;
    port: number;
}

/**
 * The address for a socket: `HOST:PORT` from the environment variable `variable` when set
 * (`[::1]:7000` for IPv6), else the model's. A malformed override is an error at start-up, not a silent fallback.
 */
export function addressFromEnv(variable: string, host: string, port: number, env: NodeJS.ProcessEnv = process.env): Address {
    const override = env[variable];
    if (override === undefined || override === '') {
        return { host, port };
    }
    const match = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(override);
    const overridePort = match ? Number(match[3]) : NaN;
    if (!match || overridePort > 65535) {
        throw new Error(`${variable}=${override} is not HOST:PORT (like 127.0.0.1:7000 or [::1]:7000)`);
    }
    return { host: match[1] ?? match[2]!, port: overridePort };
}

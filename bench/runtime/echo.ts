// Part 3: echo over loopback, generated echo server against a raw `net` echo server, same client, same load.
import { pingPong } from './ping-pong.js';
import { startGeneratedEcho, startRawEcho, type RunningServer } from './servers.js';

export interface EchoPlan {
    readonly connections: number;
    /** Length of each timed round; rounds alternate raw, generated, generated, raw … (ABBA) against drift. */
    readonly roundMs: number;
    readonly roundsEach: number;
    readonly warmupMs: number;
}

export interface EchoResult {
    /** Round trips per second over all rounds of each server. */
    readonly generated: number;
    readonly raw: number;
    readonly rounds: { readonly generated: number[]; readonly raw: number[] };
    readonly failures: number;
}

export async function measureEcho(echoDist: string, rawEchoScript: string, plan: EchoPlan): Promise<EchoResult> {
    const servers: RunningServer[] = [];
    try {
        const raw = await startRawEcho(rawEchoScript);
        servers.push(raw);
        const generated = await startGeneratedEcho(echoDist);
        servers.push(generated);
        let failures = 0;
        await pingPong(raw.port, plan.connections, plan.warmupMs);
        await pingPong(generated.port, plan.connections, plan.warmupMs);
        const totals = { generated: { messages: 0, seconds: 0 }, raw: { messages: 0, seconds: 0 } };
        const rounds = { generated: [] as number[], raw: [] as number[] };
        for (let i = 0; i < plan.roundsEach * 2; i++) {
            const which = i % 4 === 0 || i % 4 === 3 ? 'raw' : 'generated';
            const result = await pingPong((which === 'raw' ? raw : generated).port, plan.connections, plan.roundMs);
            totals[which].messages += result.messages;
            totals[which].seconds += result.seconds;
            rounds[which].push(result.perSecond);
            failures += result.failures;
        }
        return {
            generated: totals.generated.messages / totals.generated.seconds,
            raw: totals.raw.messages / totals.raw.seconds,
            rounds,
            failures
        };
    } finally {
        await Promise.all(servers.map((server) => server.stop()));
    }
}

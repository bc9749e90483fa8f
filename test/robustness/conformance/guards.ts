// The guards of every conformance program, decided by one piece of code: the interpreter gets it through its `guard`
// option, and this file is copied verbatim into each generated project (src/conformance-guards.ts), where the
// actions files call it. No imports: it compiles under the generated project's own strict tsconfig.

/** Decides guard `name` (before `!`) for machine instance `instance` (`Main`, `Sess#2`), whose event carries `payload`. */
export type GuardDecider = (name: string, instance: string, payload: unknown) => boolean;

/**
 * A fresh decider (one per program run): `g0` holds at every other evaluation in an instance (first: true), `g1` at
 * every third (second, fifth, …), `gb` when the event carries bytes of odd length (a `read`).
 */
export function guardDecider(): GuardDecider {
    const counts = new Map<string, number>();
    return (name, instance, payload) => {
        const key = `${instance} ${name}`;
        const count = counts.get(key) ?? 0;
        counts.set(key, count + 1);
        switch (name) {
            case 'g0':
                return count % 2 === 0;
            case 'g1':
                return count % 3 === 1;
            case 'gb':
                return payload instanceof Uint8Array && payload.byteLength % 2 === 1;
            default:
                throw new Error(`unknown guard ${name}`);
        }
    };
}

/** The decider of this process: generated programs call it from their actions files. */
export const decideGuard: GuardDecider = guardDecider();

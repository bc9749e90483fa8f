// The error a generator refusing a model throws. Nothing is refused today (every checked model is generated); the
// class stays while language/cli/generate.ts still reports it as a refusal.
/** Thrown for a model the generator cannot generate; `code` lets callers report it as a refusal, not a crash. */
export class GenerationRefusedError extends Error {
    readonly code = 'generation-refused';
}

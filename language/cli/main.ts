// The `reactor-fsm` command line: exit 0 clean, 1 when the models have errors, 2 when the input cannot be used.
import '../polyfill.js';
import { Command, CommanderError } from 'commander';
import { NodeFileSystem } from 'langium/node';
import { createReactorFsmServices } from '../module.js';
import { runCheck } from './check.js';
import { runCheckTrace } from './check-trace.js';
import { runDiagram } from './diagram.js';
import { runExplore } from './explore.js';
import { runGenerate } from './generate.js';
import { runSimulate } from './simulate.js';
import { InputError } from './source-files.js';

const EXIT_USAGE = 2;

/** Where commands print their results, a line at a time. */
function printLine(line: string): void {
    process.stdout.write(`${line}\n`);
}

/** Where commands print what went wrong, a line at a time. */
function printError(line: string): void {
    process.stderr.write(`${line}\n`);
}

function fail(message: string): never {
    process.stderr.write(`reactor-fsm: ${message}\n`);
    process.exit(EXIT_USAGE);
}

async function readStandardInput(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
}

export async function main(argv: readonly string[]): Promise<number> {
    const program = new Command('reactor-fsm')
        .description('Check, generate, draw and simulate Reactor FSM models (.fsm files).')
        .exitOverride()
        .configureOutput({
            writeErr: (text) => process.stderr.write(text),
            // One line, prefixed like every other error of the command.
            outputError: (text, write) => write(`reactor-fsm: ${text.replace(/^error: /, '')}`)
        });

    let exitCode = 0;
    program
        .command('check')
        .description('Report every diagnostic of the given .fsm files and folders (exit 1 when any is an error).')
        .argument('<paths...>', '.fsm files and folders holding them')
        .option('--json', 'print a JSON array of diagnostics and nothing else')
        .option('--summary', 'also print one line per machine: its states, events, sockets and signals')
        .action(async (paths: string[], options: { json?: boolean; summary?: boolean }) => {
            const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
            exitCode = await runCheck(ReactorFsm, paths, options, printLine);
        });

    program
        .command('generate')
        .description('Generate a TypeScript project (State classes, Dispatchers, runtime, main.ts) from a .fsm file.')
        .argument('<file>', 'the .fsm file')
        .option('-o, --out <dir>', 'output folder', 'generated')
        .action(async (file: string, options: { out: string }) => {
            const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
            exitCode = await runGenerate(ReactorFsm, file, options, printLine, printError);
        });

    program
        .command('diagram')
        .description('Draw one machine of a .fsm file as SVG and/or Mermaid stateDiagram-v2 text.')
        .argument('<file>', 'the .fsm file')
        .option('--machine <name>', 'the machine to draw (default: the first of the file)')
        .option('--svg <out.svg>', 'write an SVG picture (- for standard output)')
        .option('--mermaid <out.md>', 'write Mermaid stateDiagram-v2 text (- for standard output)')
        .action(async (file: string, options: { machine?: string; svg?: string; mermaid?: string }) => {
            const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
            exitCode = await runDiagram(ReactorFsm, file, options, (text) => process.stdout.write(text));
        });

    program
        .command('simulate')
        .description('Run a scenario through the interpreter and print what the model does (the trace); several files run together as one program.')
        .argument('<file>', 'the .fsm file')
        .argument('[files...]', 'more .fsm files whose machines run in the same program')
        .option('--machine <name>', 'the top-level machine plain steps are for (default: the first of the first file)')
        .option('--script <scenario>', 'the scenario file, one step per line (- for standard input)')
        .option('--json', 'print the trace as NDJSON, one object per line')
        .action(async (file: string, files: string[], options: { machine?: string; script?: string; json?: boolean }) => {
            const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
            exitCode = await runSimulate(ReactorFsm, [file, ...files], options, printLine, printError, () => readStandardInput());
        });

    program
        .command('explore')
        .description('Check the machines of several files together (the system check): clients wired to servers by address, network faults from the environment; findings with their shortest traces.')
        .argument('<files...>', 'the .fsm files (or folders) whose machines run together')
        .option('--json', 'print one JSON object: {findings: [{code, severity, file, line, column, message, trace, machines}], states, transitions, ms, complete, bound, bytesPerState, mode, exactTime, networkFaults, sessions}')
        .option('--max-states <n>', 'stop after this many distinct global states (default 200000, about 1 GB of memory at most)')
        .option('--max-seconds <s>', 'stop after this many seconds (default 60)')
        .option('--sessions <k>', 'live sessions each server may have at once (default 2)')
        .option('--random-walk <steps>', 'take this many random steps instead of exploring every state (for systems too big to finish)')
        .option('--seed <s>', 'the random walk\'s seed (default 1)')
        .option('--exact-time', 'keep how long until each timer is due in each global state, not only the order they fire in (sound where gaps between timers matter; many more states)')
        .option('--network-faults', 'let the network also reset a wired connection (a checked client and its server\'s session), either end first; by default only a wired connect can fail')
        .option('--out <dir>', 'write each finding\'s trace as a .scenario (replay with simulate) and a .mmd (Mermaid sequence diagram)')
        .action(async (files: string[], options: { json?: boolean; maxStates?: string; maxSeconds?: string; sessions?: string; randomWalk?: string; seed?: string; exactTime?: boolean; networkFaults?: boolean; out?: string }) => {
            const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
            exitCode = await runExplore(ReactorFsm, files, options, printLine, printError);
        });

    program
        .command('check-trace')
        .description("Replay a program's recorded --trace=json trace against its model: the first line the model does not allow, and coverage.")
        .argument('<file>', 'the .fsm file')
        .argument('<trace>', 'the trace: NDJSON, one trace line per line, as --trace=json writes it')
        .option('--json', 'print the result as one JSON object: {ok, firstProblem?, coverage}')
        .action(async (file: string, trace: string, options: { json?: boolean }) => {
            const { ReactorFsm } = createReactorFsmServices(NodeFileSystem);
            exitCode = await runCheckTrace(ReactorFsm, file, trace, options, printLine, printError);
        });

    try {
        await program.parseAsync([...argv], { from: 'user' });
    } catch (error) {
        if (error instanceof CommanderError) {
            // Help and version are not failures; every other commander error is a usage error.
            return error.exitCode === 0 ? 0 : EXIT_USAGE;
        }
        if (error instanceof InputError) {
            fail(error.message);
        }
        fail(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    }
    return exitCode;
}

// A reader that went away (`reactor-fsm simulate … | head`) is no failure of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') {
            process.exit(process.exitCode ?? 0);
        }
        throw error;
    });
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => fail(`internal error: ${error instanceof Error ? error.message : String(error)}`)
);

// The worker of examples/supervisor.fsm for test/runtime/process-programs.test.ts: what each run does is the next
// line of plan.txt (a run counter in runs.txt), and its pid goes to pids.txt so that the test can signal it and
// check that it is gone.
//   print TEXT / exit N   writes TEXT (JSON string) and exits with N
//   signal NAME           kills itself with the signal
//   wait N                stays up until SIGUSR2 (then exits with N)
//   bye                   stays up until its stdin ends, then writes "bye" without a line break and exits 0
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const runs = existsSync('runs.txt') ? Number(readFileSync('runs.txt', 'utf8')) : 0;
writeFileSync('runs.txt', String(runs + 1));
appendFileSync('pids.txt', `${process.pid}\n`);
const plan = readFileSync('plan.txt', 'utf8').split('\n').filter((line) => line !== '');
const steps = (plan[runs] ?? 'exit 3').split(' ; ');

function next() {
    const step = steps.shift();
    if (step === undefined) {
        process.exit(0);
    }
    const [verb, ...rest] = step.split(' ');
    const argument = rest.join(' ');
    if (verb === 'print') {
        process.stdout.write(JSON.parse(argument), next);
    } else if (verb === 'exit') {
        process.exit(Number(argument));
    } else if (verb === 'signal') {
        process.kill(process.pid, argument);
    } else if (verb === 'wait') {
        process.on('SIGUSR2', () => process.exit(Number(argument)));
        setInterval(() => undefined, 60_000);
    } else if (verb === 'bye') {
        process.stdin.resume();
        process.stdin.on('end', () => process.stdout.write('bye', () => process.exit(0)));
    } else {
        throw new Error(`unknown step ${step}`);
    }
}
next();

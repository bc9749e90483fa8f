// The fuzzer's guard against hangs. An operation that never settles while the event loop runs is caught in process
// (oracle.ts races each operation against a timer); one that blocks the thread forever (an endless loop in
// synchronous code) stops every timer of the thread, so a watchdog thread watches a deadline in shared memory: past
// it, it saves the input under out/robustness/fuzz-counterexamples/, says which operation hung on stderr, and kills
// the test process, which fails the run instead of leaving CI waiting for its own time limit.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FIGURES_FOLDER } from '../figures.js';

const FOLDER = path.join(FIGURES_FOLDER, 'fuzz-counterexamples');

/**
 * [0]: the deadline in ms after `base` (0: nothing watched); [1]: the operation's index in `operations`;
 * [2], [3]: the lengths (UTF-16 units) of the input's origin and text, which `data` holds one after the other.
 */
const header = new Int32Array(new SharedArrayBuffer(16));
/** The input being checked, copied here (not posted: a message per input costs more than the copy). */
let data = new Uint16Array(new SharedArrayBuffer(2 << 20));
const base = Date.now();
const operations: string[] = [];

const WATCHDOG_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const header = new Int32Array(workerData.header);
let data = new Uint16Array(workerData.data);
let operations = [];
parentPort.on('message', (message) => {
    if (message.data) data = new Uint16Array(message.data);
    if (message.operations) operations = message.operations;
});
function text(from, length) {
    let result = '';
    for (let i = from; i < from + length; i += 8192) result += String.fromCharCode(...data.subarray(i, Math.min(from + length, i + 8192)));
    return result;
}
setInterval(() => {
    const deadline = Atomics.load(header, 0);
    if (deadline === 0 || Date.now() - workerData.base <= deadline) return;
    const operation = operations[Atomics.load(header, 1)] || '?';
    const originLength = Atomics.load(header, 2);
    const origin = text(0, originLength);
    const input = text(originLength, Atomics.load(header, 3));
    let saved = '(not saved)';
    try {
        fs.mkdirSync(workerData.folder, { recursive: true });
        saved = path.join(workerData.folder, 'hang-' + Date.now() + '.fsm');
        fs.writeFileSync(saved, input);
        // The JSON keeps the text exactly (lone surrogates escaped); the .fsm file is its UTF-8.
        fs.writeFileSync(saved + '.json', JSON.stringify({ origin, operation, text: input.length <= 1 << 20 ? input : '(in the .fsm file)' }, null, 2) + '\\n');
    } catch {}
    fs.writeSync(2, '\\nfuzz-language watchdog: ' + operation + ' on ' + origin + ' (' + input.length + ' characters) blocked the test thread past its deadline; input saved to ' + saved + '; killing the test process\\n');
    process.kill(process.pid, 'SIGKILL');
}, 250);
`;

let worker: Worker | undefined;

function watchdog(): Worker {
    if (!worker) {
        worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { header: header.buffer, data: data.buffer, base, folder: FOLDER } });
        worker.unref();
    }
    return worker;
}

/** Tells the watchdog which input is being checked (it saves this text if the thread hangs). */
export function watchInput(origin: string, text: string): void {
    const length = origin.length + text.length;
    if (length > data.length) {
        data = new Uint16Array(new SharedArrayBuffer(2 * 2 ** Math.ceil(Math.log2(length))));
        watchdog().postMessage({ data: data.buffer });
    }
    let at = 0;
    for (const part of [origin, text]) {
        for (let i = 0; i < part.length; i++) {
            data[at++] = part.charCodeAt(i);
        }
    }
    Atomics.store(header, 2, origin.length);
    Atomics.store(header, 3, text.length);
}

/** Arms the watchdog: `operation` must give the thread back within `ms`. */
export function watch(operation: string, ms: number): void {
    let index = operations.indexOf(operation);
    if (index < 0) {
        index = operations.push(operation) - 1;
        watchdog().postMessage({ operations });
    }
    Atomics.store(header, 1, index);
    Atomics.store(header, 0, Math.max(1, Date.now() - base + Math.ceil(ms)));
}

export function unwatch(): void {
    Atomics.store(header, 0, 0);
}

/** Saves an input on which an operation did not settle (the thread was free: the oracle caught it, not the watchdog). */
export function saveHangingInput(origin: string, text: string, failure: string): void {
    mkdirSync(FOLDER, { recursive: true });
    const saved = path.join(FOLDER, `hang-${Date.now()}.fsm`);
    writeFileSync(saved, text);
    writeFileSync(`${saved}.json`, `${JSON.stringify({ origin, failure, text: text.length <= 1 << 20 ? text : '(in the .fsm file)' }, null, 2)}\n`);
    console.log(`fuzz-language: ${failure}; input (${origin}) saved to ${saved}`);
}

/** Stops the watchdog thread (at the end of the suite). */
export async function stopWatchdog(): Promise<void> {
    unwatch();
    await worker?.terminate();
    worker = undefined;
}

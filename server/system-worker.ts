// The system check's worker thread: explores the program the language server posts (plain data, structured-cloned) and
// posts the findings back, so a long search never blocks the server; the server ends the thread to cancel it.
import { parentPort, workerData } from 'node:worker_threads';
import { checkSystem, DEFAULT_SESSIONS, scenarioFile, searchSummary, type SystemFinding } from '../language/system/check-system.js';
import type { SystemJob, SystemJobReply, SystemJobFinding } from '../language/lsp/system-check.js';

function jobFinding(finding: SystemFinding, job: SystemJob): SystemJobFinding {
    return {
        code: finding.code,
        severity: finding.severity,
        spot: finding.spot,
        message: finding.message,
        subject: finding.subject,
        steps: finding.steps.map((step, index) => ({ text: step.lines.join('; '), spot: finding.stepSpots[index] ?? finding.spot })),
        machines: [...finding.machines],
        scenario: scenarioFile(finding, job.files, job),
        chart: finding.chart
    };
}

/** The check of one job: what the worker posts back. */
export function runSystemJob(job: SystemJob): SystemJobReply {
    const check = checkSystem(job.program, { sessions: job.sessions, maxMs: job.maxMs, maxStates: job.maxStates, exactTime: job.exactTime, networkFaults: job.networkFaults });
    const { states, complete } = check.stats;
    const summary = searchSummary(check.stats, job.sessions ?? DEFAULT_SESSIONS);
    return { findings: check.findings.map((finding) => jobFinding(finding, job)), states, complete, summary };
}

/** Set in `workerData` by the server's SystemCheckRunner: only then is this thread a system check worker. */
export const SYSTEM_WORKER_MARK = 'reactorFsmSystemCheck';

if (parentPort && (workerData as Record<string, unknown> | null)?.[SYSTEM_WORKER_MARK] === true) {
    const port = parentPort;
    port.once('message', (job: SystemJob) => {
        try {
            port.postMessage({ ok: true, reply: runSystemJob(job) });
        } catch (error) {
            port.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        }
    });
}

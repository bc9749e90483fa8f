/// <reference lib="dom" />
// The system check's sequence charts in a real browser: the Mermaid text of every fixture finding's trace parses and
// renders with the real Mermaid in Chromium, and the participants (session instances like `ChatSession#1` too) show
// their names as written, `#` included; the environment is an actor when it acts, and never one with a machine.
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSystem } from '../../language/system/check-system.js';
import { sessionServer, waitingClient } from '../system/inline-models.js';
import { CODES, inlineFiles, withFixture, withSystem } from '../system/system-helpers.js';
import { CHROMIUM, launchChromium } from './browser-helpers.js';

/** A client that reads a banner, then waits for a line that never comes (a deadlock after the banner's delivery). */
const READER = `// Reads the banner, then waits for a second line.
machine Reader {
    events Up, Line, Failed
    initial state Connecting {
        on Up -> AwaitBanner
        on Failed -> GaveUp
    }
    state AwaitBanner {
        on Line -> AwaitMore
    }
    state AwaitMore {
        on Line -> Done
    }
    final state Done
    final state GaveUp

    client upstream connect 127.0.0.1:7800 {
        framing lines
        connect -> Up
        read -> Line
        error -> Failed
    }
}
`;

/** The banner: characters Mermaid reads specially (entities, comments, HTML, a colon). */
const BANNER = 'a;b #1 <b>x</b> %% {y}: z';

const BANNER_SERVER = `// Sessions send one banner on entry.
machine BannerServer {
    events ListenFailed
    initial state Serving {
        on ListenFailed -> Stopped
    }
    final state Stopped

    server listener listen 0.0.0.0:7800 {
        session BannerSession
        error -> ListenFailed
    }
}

machine BannerSession {
    events Command, Gone
    initial state Open {
        entry send peer "${BANNER}"
        on Command -> Open
        on Gone -> Done
    }
    final state Done

    connection peer {
        framing lines
        read -> Command
        close -> Gone
    }
}
`;

const MERMAID = new URL('../../node_modules/mermaid/dist/mermaid.min.js', import.meta.url);

interface Chart {
    readonly name: string;
    readonly text: string;
    /** The participants' names as the chart should show them. */
    readonly participants: readonly string[];
}

/** What Mermaid renders of one chart: an error, or the text of each actor box and of each message and note. */
interface Rendered {
    readonly error?: string;
    readonly actors: string[];
    readonly messages: string[];
    readonly notes: string[];
}

describe.skipIf(!existsSync(CHROMIUM))('sequence charts of system-check findings in Chromium', () => {
    let browser: Browser;
    let closeBrowser: () => Promise<void>;
    let page: Page;
    const charts: Chart[] = [];

    beforeAll(async () => {
        for (const code of CODES) {
            for (const sessions of [2, 3]) {
                await withFixture(code, 'bug', ({ program }) => {
                    for (const finding of checkSystem(program, { sessions }).findings) {
                        // The environment is a participant when an arrow comes from it (its id is `env`).
                        const environment = /^ {4}env(->>|-\)|-x)/m.test(finding.chart) ? ['Environment'] : [];
                        charts.push({ name: `${code} (${sessions} sessions) ${finding.spot.file}:${finding.spot.line}`, text: finding.chart, participants: [...environment, ...finding.machines.map((machine) => machine.split(': ')[0]!)] });
                    }
                });
            }
        }
        ({ browser, close: closeBrowser } = await launchChromium());
        page = await (await browser.newContext()).newPage();
        await page.setContent('<!DOCTYPE html><html><body><div id="out"></div></body></html>');
        await page.addScriptTag({ content: readFileSync(MERMAID, 'utf8') });
        await page.evaluate(() => (window as unknown as { mermaid: { initialize(options: object): void } }).mermaid.initialize({ startOnLoad: false }));
    }, 60_000);

    afterAll(async () => {
        await closeBrowser?.();
    });

    /** Parses and renders `text` with Mermaid in the page; what the SVG shows. */
    function render(text: string, id: string): Promise<Rendered> {
        return page.evaluate(
            async ({ text, id }) => {
                const api = (window as unknown as { mermaid: { parse(text: string): Promise<unknown>; render(id: string, text: string): Promise<{ svg: string }> } }).mermaid;
                try {
                    await api.parse(text);
                    const { svg } = await api.render(id, text);
                    const holder = document.getElementById('out')!;
                    holder.innerHTML = svg;
                    const texts = (selector: string): string[] => Array.from(holder.querySelectorAll(selector), (element) => (element.textContent ?? '').trim());
                    return { actors: texts('text.actor'), messages: texts('text.messageText'), notes: texts('text.noteText') };
                } catch (error) {
                    return { error: String(error), actors: [], messages: [], notes: [] };
                }
            },
            { text, id }
        );
    }

    it('has charts of every finding code, with session instances among the participants, with and without the environment', () => {
        expect(new Set(charts.map((chart) => chart.name.split(' ')[0]))).toEqual(new Set(CODES));
        expect(charts.some((chart) => chart.participants.some((name) => /#\d+$/.test(name)))).toBe(true);
        expect(new Set(charts.map((chart) => chart.participants.includes('Environment')))).toEqual(new Set([true, false]));
    });

    it('every chart parses and renders, each participant shown by its name (`#` included), the finding noted', async () => {
        for (const [index, chart] of charts.entries()) {
            const rendered = await render(chart.text, `chart${index}`);
            expect(rendered.error, `${chart.name}:\n${chart.text}`).toBeUndefined();
            // Mermaid draws each actor at the top and at the bottom.
            for (const participant of chart.participants) {
                expect(rendered.actors.filter((actor) => actor === participant).length, `${chart.name}: ${participant} in ${JSON.stringify(rendered.actors)}`).toBeGreaterThanOrEqual(1);
            }
            const shown = [...rendered.actors, ...rendered.messages, ...rendered.notes].join('\n');
            expect(shown, chart.name).not.toMatch(/#\d+;/);
            const code = chart.name.split(' ')[0]!;
            expect(rendered.notes.some((note) => note.startsWith(`${code}: `)), `${chart.name}: ${JSON.stringify(rendered.notes)}`).toBe(true);
            expect(rendered.messages.length + rendered.notes.length).toBeGreaterThan(1);
        }
    }, 120_000);

    it('the session names in messages and notes show `#` too (EchoSession#1-style names)', async () => {
        const withSession = charts.find((chart) => chart.name.startsWith('orphan-session'))!;
        const rendered = await render(withSession.text, 'session');
        expect(rendered.error).toBeUndefined();
        expect(rendered.actors).toContain('JobSession#1');
        expect(rendered.messages.some((message) => message.includes('JobSession#1'))).toBe(true);
        expect(rendered.notes.some((note) => note.includes('JobSession#1 outlives its peer'))).toBe(true);
    });

    it('a machine named Environment and the environment are two actors; Job_1 and the session Job#1 too', async () => {
        const deadlock = await withSystem(inlineFiles({ 'hub.fsm': sessionServer('Hub', 'Job', '0.0.0.0:7991'), 'job-1.fsm': waitingClient('Job_1', 7991) }), ({ program }) => checkSystem(program).findings.find((finding) => finding.code === 'system-deadlock')!.chart);
        const jobs = await render(deadlock, 'jobs');
        expect(jobs.error, deadlock).toBeUndefined();
        expect([...new Set(jobs.actors)].sort(), deadlock).toEqual(['Hub', 'Job#1', 'Job_1']);
        // Boxes Mermaid draws per actor (at the top, and at the bottom too by default).
        const boxes = jobs.actors.filter((actor) => actor === 'Hub').length;
        expect(boxes).toBeGreaterThanOrEqual(1);
        expect(jobs.actors.filter((actor) => actor === 'Job_1'), deadlock).toHaveLength(boxes);
        expect(jobs.actors.filter((actor) => actor === 'Job#1'), deadlock).toHaveLength(boxes);
        const refused = await withSystem(inlineFiles({ 'environment.fsm': waitingClient('Environment', 7992) }), ({ program }) => checkSystem(program).findings.find((finding) => finding.code === 'stuck-after-fault')!.chart);
        const both = await render(refused, 'environment');
        expect(both.error, refused).toBeUndefined();
        expect(both.actors, refused).toEqual(Array<string>(2 * boxes).fill('Environment'));
    });

    it('is not vacuous: Mermaid refuses a broken chart', async () => {
        const rendered = await render('sequenceDiagram\n    participant A as A\n    A->>: no target\n    Note over : x', 'broken');
        expect(rendered.error).toBeDefined();
    });

    it('data with characters Mermaid reads specially is shown as sent', async () => {
        const chart = await withSystem(inlineFiles({ 'reader.fsm': READER, 'banner.fsm': BANNER_SERVER }), ({ program }) => {
            const findings = checkSystem(program).findings;
            expect(findings.map((finding) => finding.code)).toEqual(['system-deadlock']);
            return findings[0]!.chart;
        });
        const rendered = await render(chart, 'banner');
        expect(rendered.error, chart).toBeUndefined();
        expect(rendered.messages, chart).toContain(JSON.stringify(`${BANNER}\n`));
    });
});

/// <reference lib="dom" />
// The live view of a debug session in the real webview: the messages the panel posts (live-diagram.ts makes them) mark
// the active states, the fading trail, armed timers with their countdown and fireable transitions, whose label sends
// the event; a re-render keeps the marks, another machine's picture and liveEnd have none.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveView } from '../../client/webview/messages.js';
import { placeMachine } from '../../language/diagram/diagram.js';
import { renderSvg } from '../../language/diagram/geometry/svg.js';
import { withDocuments } from '../helpers.js';
import { CHROMIUM, launchChromium, openDiagramPanel, serve } from './browser-helpers.js';

const SCRIPT = new URL('../../out/diagram.js', import.meta.url);
const PLAYER = readFileSync(new URL('../diagram/fixtures/player.fsm', import.meta.url), 'utf8');
/** Two clauses on one line: the event tells their edges apart. */
const ONE_LINE = `machine OneLine {
    events A, B
    initial state S { on A -> T  on B -> T }
    final state T
}
`;
const ARTIFACTS = new URL('../../test/browser/artifacts/', import.meta.url);

/** Player (test/diagram/fixtures/player.fsm) while Playing inside Active; 0-based lines, as the panel sends them. */
const PLAYING: LiveView = {
    instance: 'Player',
    machine: 'Player',
    t: 1500,
    finished: false,
    states: [9, 13], // state Active, state Playing
    trail: [
        { line: 15, event: 'after 1s' }, // after 1s -> Playing
        { line: 4, event: 'Play' }, // on Play -> Active (Stopped)
        { line: 6, event: 'Resume' } // on Resume -> Resumed (Stopped)
    ],
    timers: [{ line: 15, label: 'after 1s', remainingMs: 1500 }],
    fireable: [
        { line: 14, event: 'Pause' },
        { line: 10, event: 'Stop' },
        { line: 11, event: 'Eject' }
    ]
};

interface Posted {
    type: string;
    event?: string;
}

describe.skipIf(!existsSync(CHROMIUM))('live diagram of a debug session, in Chromium', () => {
    let browser: Browser;
    let closeBrowser: () => Promise<void>;
    let server: Server;
    let page: Page;
    let player: string;
    let oneLine: string;

    beforeAll(async () => {
        expect(existsSync(SCRIPT), 'out/diagram.js is built (node scripts/bundle.mjs)').toBe(true);
        [player, oneLine] = await withDocuments([PLAYER, ONE_LINE], async (documents) =>
            Promise.all(documents.map(async (document) => renderSvg(await placeMachine(document.parseResult.value.machines[0]!, document), { standalone: false })))
        );
        const served = await serve({ '/diagram.js': { type: 'text/javascript', body: readFileSync(SCRIPT) } });
        server = served.server;
        ({ browser, close: closeBrowser } = await launchChromium());
        page = await openDiagramPanel(browser, served.origin);
        await show(player, 'Player');
    }, 60_000);

    afterAll(async () => {
        await closeBrowser?.();
        server?.close();
    });

    /** Posts a picture and waits until it replaced the last one. */
    async function show(svg: string, machine: string): Promise<void> {
        await page.evaluate(() => document.querySelector('#canvas svg')?.setAttribute('data-old', ''));
        await page.evaluate(({ svg, machine }) => window.postMessage({ type: 'update', svg, machine, machines: ['Player', 'OneLine'] }, '*'), { svg, machine });
        await page.waitForSelector(`#canvas svg[data-machine="${machine}"]:not([data-old])`);
    }

    async function postLive(view: LiveView): Promise<void> {
        await page.evaluate((message) => window.postMessage(message, '*'), { type: 'live', ...view });
        await page.waitForFunction((status) => document.getElementById('live-status')?.textContent?.startsWith(status), `Live: ${view.instance} at ${view.t} ms`);
        await settled();
    }

    /** Waits for the trail's fading (a CSS transition) to end. */
    async function settled(): Promise<void> {
        await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished)));
    }

    async function posted(type: string): Promise<Posted[]> {
        return page.evaluate((wanted) => (window as unknown as { __sent: Posted[] }).__sent.filter((message) => message.type === wanted), type);
    }

    /** The titles of the marked state nodes (their first text), in document order. */
    const markedStates = (): Promise<string[]> => page.locator('#canvas .fsm-node.fsm-live-active > text.fsm-title').allTextContents();
    /** Start line of the data-range of each element matching `selector`. */
    const startLines = (selector: string): Promise<number[]> =>
        page.locator(selector).evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-range')!.split(':')[0])));
    const liveMarks = (): Promise<number> => page.locator('#canvas [class*="fsm-live"]').count();

    it('outlines the active states, the composite holding the state too, and says which instance at what time', async () => {
        await postLive(PLAYING);
        expect(await markedStates()).toEqual(['Active', 'Playing']);
        const strokeWidth = (name: string): Promise<string> =>
            page.locator('#canvas .fsm-node', { has: page.locator(`text.fsm-title:text-is("${name}")`) }).locator('> rect.fsm-outer').evaluate((rect) => getComputedStyle(rect).strokeWidth);
        expect(await strokeWidth('Playing')).toBe('3px');
        expect(await strokeWidth('Paused')).toBe('1.2px');
        expect(await page.locator('#live-status').textContent()).toBe('Live: Player at 1500 ms');
    });

    it('draws the trail, the most recent transition strongest and older ones fading', async () => {
        const trail = await page.locator('#canvas .fsm-edge.fsm-live-trail').evaluateAll((edges) =>
            edges.map((edge) => ({
                line: Number(edge.getAttribute('data-range')!.split(':')[0]),
                rank: Array.from(edge.classList).find((name) => /^fsm-live-trail-\d$/.test(name)),
                opacity: Number(getComputedStyle(edge.querySelector('path')!).opacity)
            }))
        );
        expect(trail.sort((a, b) => (a.rank ?? '').localeCompare(b.rank ?? ''))).toEqual([
            { line: 15, rank: 'fsm-live-trail-0', opacity: 1 },
            { line: 4, rank: 'fsm-live-trail-1', opacity: 0.6 },
            { line: 6, rank: 'fsm-live-trail-2', opacity: 0.3 }
        ]);
        // The other `on Play` (Paused -> Playing, line 18) is not in the trail.
        expect(await startLines('#canvas .fsm-edge:not(.fsm-live-trail)')).toContain(18);
    });

    it('shows the countdown of an armed timer beside the state holding it', async () => {
        const timer = page.locator('#canvas .fsm-live-timer');
        expect(await timer.count()).toBe(1);
        expect(await timer.locator('text').textContent()).toBe('⏱ 1.5 s');
        expect(await timer.locator('title').textContent()).toBe('after 1s: 1500 ms left');
        expect(await timer.evaluate((badge) => badge.closest('.fsm-node')!.querySelector('text.fsm-title')!.textContent)).toBe('Playing');
        expect(await startLines('#canvas .fsm-edge.fsm-live-armed')).toEqual([15]);
        // Right of the state's box, on a box that holds the whole text.
        const { text, box, state } = await timer.evaluate((badge) => {
            const rect = (element: Element): { left: number; right: number; top: number; bottom: number } => element.getBoundingClientRect().toJSON() as { left: number; right: number; top: number; bottom: number };
            return { text: rect(badge.querySelector('text')!), box: rect(badge.querySelector('rect')!), state: rect(badge.closest('.fsm-node')!.querySelector('rect')!) };
        });
        expect(text.left).toBeGreaterThan(state.right);
        expect(text.top).toBeGreaterThan(state.top - 1);
        expect(box.left).toBeLessThanOrEqual(text.left);
        expect(box.right).toBeGreaterThanOrEqual(text.right);
        await mkdir(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: new URL('diagram-live.png', ARTIFACTS).pathname });
    });

    it('offers the fireable transitions: a click on the label sends the event, a click on the arrow still reveals', async () => {
        expect((await startLines('#canvas .fsm-edge.fsm-live-fireable')).sort((a, b) => a - b)).toEqual([10, 11, 14]);
        const pause = page.locator('#canvas .fsm-edge.fsm-live-fireable[data-live-event="Pause"]');
        expect(await pause.locator('> title').textContent()).toBe('Click to send Pause');
        const label = pause.locator('text');
        expect(await label.evaluate((text) => [getComputedStyle(text).cursor, getComputedStyle(text).textDecorationLine])).toEqual(['pointer', 'underline']);
        const reveals = (await posted('reveal')).length;
        await label.click();
        await page.waitForFunction(() => (window as unknown as { __sent: Posted[] }).__sent.some((message) => message.type === 'fire'));
        expect(await posted('fire')).toEqual([{ type: 'fire', event: 'Pause' }]);
        expect((await posted('reveal')).length).toBe(reveals);
        // A label that is not fireable (`on Play` of Paused) reveals its clause and sends nothing.
        await page.locator('#canvas .fsm-edge:not(.fsm-live-fireable)[data-range^="18:"] text').click();
        await page.waitForFunction((count) => (window as unknown as { __sent: Posted[] }).__sent.filter((message) => message.type === 'reveal').length > count, reveals);
        expect(await posted('fire')).toHaveLength(1);
    });

    it('keeps the live marks when the picture is rendered again while the session runs', async () => {
        const before = await liveMarks();
        await show(player, 'Player');
        expect(await markedStates()).toEqual(['Active', 'Playing']);
        expect(await page.locator('#canvas .fsm-live-timer').count()).toBe(1);
        // Marked before the first layout: nothing fades in again.
        expect(await page.evaluate(() => document.getAnimations().length)).toBe(0);
        expect(await liveMarks()).toBe(before);
        expect(await page.locator('#live-status').textContent()).toBe('Live: Player at 1500 ms');
    });

    it('marks nothing on the picture of another machine, and marks again when its machine is back', async () => {
        await show(oneLine, 'OneLine');
        expect(await liveMarks()).toBe(0);
        expect(await page.locator('#live-status').textContent()).toBe('');
        await show(player, 'Player'); // fitted into view: its layout is read at once
        expect(await markedStates()).toEqual(['Active', 'Playing']);
        expect(await page.evaluate(() => document.getAnimations().length)).toBe(0);
    });

    it('tells clauses on one line apart by their event, a state declared on the same line still marked', async () => {
        await show(oneLine, 'OneLine');
        await postLive({ instance: 'OneLine#2', machine: 'OneLine', t: 20, finished: false, states: [2], trail: [{ line: 2, event: 'A' }], timers: [], fireable: [{ line: 2, event: 'B' }] });
        expect(await markedStates()).toEqual(['S']);
        expect(await page.locator('#canvas .fsm-edge.fsm-live-fireable text').allTextContents()).toEqual(['B']);
        expect(await page.locator('#canvas .fsm-edge.fsm-live-trail text').allTextContents()).toEqual(['A']);
    });

    it('follows the next stop: old marks go, a finished instance offers nothing', async () => {
        await show(player, 'Player');
        await postLive({ ...PLAYING, t: 2500, finished: true, states: [38], trail: [{ line: 11, event: 'Eject' }], timers: [], fireable: [] });
        expect(await page.locator('#live-status').textContent()).toBe('Live: Player at 2500 ms (finished)');
        expect(await markedStates()).toEqual(['Ejected']);
        expect(await startLines('#canvas .fsm-edge.fsm-live-trail-0')).toEqual([11]);
        expect(await page.locator('#canvas .fsm-live-fireable, #canvas .fsm-live-timer, #canvas .fsm-live-title').count()).toBe(0);
    });

    it('clears every mark at liveEnd, and a later picture has none', async () => {
        await postLive(PLAYING);
        expect(await liveMarks()).toBeGreaterThan(0);
        await page.evaluate(() => window.postMessage({ type: 'liveEnd' }, '*'));
        await page.waitForFunction(() => document.getElementById('live-status')?.textContent === '');
        expect(await liveMarks()).toBe(0);
        await show(player, 'Player');
        expect(await liveMarks()).toBe(0);
        // The labels reveal again instead of sending.
        await page.locator('#canvas .fsm-edge[data-range^="14:"] text').click();
        await page.waitForTimeout(100);
        expect(await posted('fire')).toHaveLength(1);
    });
});

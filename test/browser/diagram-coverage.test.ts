/// <reference lib="dom" />
// The coverage overlay of a recorded trace in the real webview: covered states and transitions marked green, uncovered
// ones red and dashed, kept across re-renders, removed by coverageEnd.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageView } from '../../client/webview/messages.js';
import { placeMachine } from '../../language/diagram/diagram.js';
import { renderSvg } from '../../language/diagram/geometry/svg.js';
import { withDocuments } from '../helpers.js';
import { CHROMIUM, launchChromium, openDiagramPanel, serve } from './browser-helpers.js';

const SCRIPT = new URL('../../out/diagram.js', import.meta.url);
// 0-based lines: 2 Idle, 3 on Coin, 4 on Quit, 6 Paid, 7 on Refund, 8 after 30s, 10 Off.
const VENDING = `machine Vending {
    events Coin, Refund, Quit
    initial state Idle {
        on Coin -> Paid
        on Quit -> Off
    }
    state Paid {
        on Refund -> Idle
        after 30s -> Idle
    }
    final state Off
}
`;
const COVERAGE: CoverageView = { covered: [2, 3, 6, 7, 8], uncovered: [4, 10], label: 'run.ndjson: states 2/3, transitions 3/4' };

describe.skipIf(!existsSync(CHROMIUM))('trace coverage on the diagram, in Chromium', () => {
    let browser: Browser;
    let closeBrowser: () => Promise<void>;
    let server: Server;
    let page: Page;
    let svg: string;

    beforeAll(async () => {
        expect(existsSync(SCRIPT), 'out/diagram.js is built (node scripts/bundle.mjs)').toBe(true);
        svg = await withDocuments([VENDING], async ([document]) => renderSvg(await placeMachine(document!.parseResult.value.machines[0]!, document!), { standalone: false }));
        const served = await serve({ '/diagram.js': { type: 'text/javascript', body: readFileSync(SCRIPT) } });
        server = served.server;
        ({ browser, close: closeBrowser } = await launchChromium());
        page = await openDiagramPanel(browser, served.origin);
        await show();
    }, 60_000);

    afterAll(async () => {
        await closeBrowser?.();
        server?.close();
    });

    async function show(): Promise<void> {
        await page.evaluate(() => document.querySelector('#canvas svg')?.setAttribute('data-old', ''));
        await page.evaluate((picture) => window.postMessage({ type: 'update', svg: picture, machine: 'Vending', machines: ['Vending'] }, '*'), svg);
        await page.waitForSelector('#canvas svg[data-machine="Vending"]:not([data-old])');
    }

    /** Start lines of the elements with `mark`, nodes and edges apart. */
    async function marked(mark: string): Promise<{ nodes: string[]; edges: number[] }> {
        const nodes = await page.locator(`#canvas .fsm-node.${mark} > text.fsm-title`).allTextContents();
        const edges = await page.locator(`#canvas .fsm-edge.${mark}`).evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-range')!.split(':')[0])));
        return { nodes: nodes.sort(), edges: edges.sort((a, b) => a - b) };
    }

    it('marks what the trace covered and what it did not, and says so in the toolbar', async () => {
        await page.evaluate((message) => window.postMessage(message, '*'), { type: 'coverage', ...COVERAGE });
        await page.waitForFunction(() => document.getElementById('coverage-status')?.textContent !== '');
        // Line 2's edge is the initial arrow into Idle (its range is the `initial state Idle` line): taken at the start.
        expect(await marked('fsm-covered')).toEqual({ nodes: ['Idle', 'Paid'], edges: [2, 3, 7, 8] });
        expect(await marked('fsm-uncovered')).toEqual({ nodes: ['Off'], edges: [4] });
        expect(await page.locator('#coverage-status').textContent()).toBe(COVERAGE.label);
        const dashed = await page.locator('#canvas .fsm-node.fsm-uncovered > rect.fsm-outer').evaluate((rect) => getComputedStyle(rect).strokeDasharray);
        expect(dashed).toBe('5px, 3px');
    });

    it('keeps the marks when the picture is drawn again, and removes them at coverageEnd', async () => {
        await show();
        expect(await marked('fsm-uncovered')).toEqual({ nodes: ['Off'], edges: [4] });
        await page.evaluate(() => window.postMessage({ type: 'coverageEnd' }, '*'));
        await page.waitForFunction(() => document.getElementById('coverage-status')?.textContent === '');
        expect(await page.locator('#canvas .fsm-covered, #canvas .fsm-uncovered').count()).toBe(0);
    });
});

/// <reference lib="dom" />
// A diagram of composite states in the real webview: nested states, regions, histories and edges reveal their source
// when clicked, a drag inside a composite pans, and Mermaid accepts the nested text.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeMachine } from '../../language/diagram/diagram.js';
import { machineToMermaid } from '../../language/diagram/mermaid.js';
import { renderSvg } from '../../language/diagram/geometry/svg.js';
import type { SourceRange } from '../../language/diagram/geometry/graph-types.js';
import { withDocuments } from '../helpers.js';
import { CHROMIUM, launchChromium, openDiagramPanel, sentOfType, serve } from './browser-helpers.js';

const SCRIPT = new URL('../../out/diagram.js', import.meta.url);
const PLAYER = readFileSync(new URL('../diagram/fixtures/player.fsm', import.meta.url), 'utf8');
const ARTIFACTS = new URL('../../test/browser/artifacts/', import.meta.url);

describe.skipIf(!existsSync(CHROMIUM))('diagram webview with composite states, in Chromium', () => {
    let browser: Browser;
    let closeBrowser: () => Promise<void>;
    let server: Server;
    let page: Page;
    let svg: string;
    let mermaid: string;
    /** The source range of each element, by label (edges by their label, the `done` edge as `done`). */
    const ranges = new Map<string, SourceRange>();

    beforeAll(async () => {
        expect(existsSync(SCRIPT), 'out/diagram.js is built (npm run build)').toBe(true);
        ({ svg, mermaid } = await withDocuments([PLAYER], async ([document]) => {
            const machine = document!.parseResult.value.machines[0]!;
            const placed = await placeMachine(machine, document);
            for (const element of [...placed.nodes, ...placed.edges]) {
                if (element.label && element.range && !ranges.has(element.label)) {
                    ranges.set(element.label, element.range);
                }
            }
            return { svg: renderSvg(placed, { standalone: false }), mermaid: machineToMermaid(machine) };
        }));
        const served = await serve({ '/diagram.js': { type: 'text/javascript', body: readFileSync(SCRIPT) } });
        server = served.server;
        ({ browser, close: closeBrowser } = await launchChromium());
        page = await openDiagramPanel(browser, served.origin);
        await page.evaluate((picture) => window.postMessage({ type: 'update', svg: picture, machine: 'Player', machines: ['Player'] }, '*'), svg);
        await page.waitForSelector('#canvas svg .fsm-composite');
    }, 60_000);

    afterAll(async () => {
        await closeBrowser?.();
        server?.close();
    });

    async function lastReveal(): Promise<SourceRange['start'] | undefined> {
        return (await sentOfType(page, 'reveal')).at(-1)?.range?.start;
    }

    it('shows composites holding their states, regions with a separator, and histories', async () => {
        expect(await page.locator('#canvas .fsm-composite').count()).toBe(2);
        expect(await page.locator('#canvas .fsm-region .fsm-region-label').allTextContents()).toEqual(['Sound', 'Clock']);
        expect(await page.locator('#canvas .fsm-separator').count()).toBe(1);
        expect(await page.locator('#canvas .fsm-history > text').allTextContents()).toEqual(['H', 'H*']);
        // Paused is drawn inside Active's box.
        const active = (await page.locator('#canvas .fsm-composite', { hasText: 'Active' }).boundingBox())!;
        const paused = (await page.locator('#canvas .fsm-state:not(.fsm-composite)', { hasText: 'Paused' }).boundingBox())!;
        expect(paused.x).toBeGreaterThan(active.x);
        expect(paused.y).toBeGreaterThan(active.y);
        expect(paused.x + paused.width).toBeLessThan(active.x + active.width);
        expect(paused.y + paused.height).toBeLessThan(active.y + active.height);
        await mkdir(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: new URL('diagram-webview-hierarchy.png', ARTIFACTS).pathname });
    });

    it('reveals a nested state, a history, a region, a composite and an edge when clicked', async () => {
        await page.locator('#canvas .fsm-state:not(.fsm-composite)', { hasText: 'Paused' }).click();
        expect(await lastReveal()).toEqual(ranges.get('Paused')!.start);
        await page.locator('#canvas .fsm-history', { hasText: 'H*' }).click();
        expect(await lastReveal()).toEqual(ranges.get('H*')!.start);
        // A region and a composite are clicked on their titles: what they hold covers the rest of them.
        await page.locator('#canvas .fsm-region', { hasText: 'Clock' }).click({ position: { x: 12, y: 6 } });
        expect(await lastReveal()).toEqual(ranges.get('Clock')!.start);
        await page.locator('#canvas .fsm-composite', { hasText: 'Active' }).click({ position: { x: 12, y: 8 } });
        expect(await lastReveal()).toEqual(ranges.get('Active')!.start);
        await page.locator('#canvas .fsm-edge text', { hasText: 'done' }).click();
        expect(await lastReveal()).toEqual(ranges.get('done')!.start);
        expect(ranges.get('done')!.start).not.toEqual(ranges.get('Active')!.start);
    });

    it('pans when dragged inside a composite, without revealing it', async () => {
        const before = await page.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform);
        const reveals = (await sentOfType(page, 'reveal')).length;
        const box = (await page.locator('#canvas .fsm-composite', { hasText: 'Active' }).boundingBox())!;
        await page.mouse.move(box.x + 6, box.y + box.height - 6);
        await page.mouse.down();
        await page.mouse.move(box.x + 60, box.y + box.height + 30, { steps: 5 });
        await page.mouse.up();
        expect(await page.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform)).not.toBe(before);
        expect((await sentOfType(page, 'reveal')).length).toBe(reveals);
    });

    it('highlights a nested state under the editor cursor, not the composite around it', async () => {
        await page.evaluate((at) => window.postMessage({ type: 'highlight', line: at.line, character: at.character }, '*'), ranges.get('Playing')!.start);
        await page.waitForSelector('#canvas .fsm-selected');
        expect(await page.locator('#canvas .fsm-selected').allTextContents()).toEqual([expect.stringContaining('Playing')]);
    });

    it('has Mermaid accept the nested stateDiagram-v2 text', async () => {
        const library = readFileSync(new URL('../../node_modules/mermaid/dist/mermaid.min.js', import.meta.url)).toString('utf8');
        const mermaidPage = await (await browser.newContext()).newPage();
        await mermaidPage.setContent('<!DOCTYPE html><html><body></body></html>');
        await mermaidPage.addScriptTag({ content: library });
        const outcome = await mermaidPage.evaluate(async (text) => {
            const api = (window as unknown as { mermaid: { initialize(options: object): void; parse(text: string): Promise<unknown> } }).mermaid;
            api.initialize({ startOnLoad: false });
            return api.parse(text).then(
                () => 'ok',
                (error: unknown) => String(error)
            );
        }, mermaid);
        expect(outcome).toBe('ok');
        expect(mermaid).toContain('state s1 {');
    }, 60_000);
});

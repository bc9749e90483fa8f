/// <reference lib="dom" />
// The diagram webview in a real browser: the page our panel builds, its script, a real SVG of an example.
// The test stands in for VS Code's host only where VS Code would: `acquireVsCodeApi` and postMessage.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMachine } from '../../bench/editor/model.js';
import { chooseMachine, placeMachine } from '../../language/diagram/diagram.js';
import { machineToMermaid } from '../../language/diagram/mermaid.js';
import { renderSvg } from '../../language/diagram/geometry/svg.js';
import { withDocuments } from '../helpers.js';
import { CHROMIUM, launchChromium, openDiagramPanel, serve, type Sent } from './browser-helpers.js';

const SCRIPT = new URL('../../out/diagram.js', import.meta.url);
const EXAMPLES = new URL('../../examples/', import.meta.url);
const ARTIFACTS = new URL('../../test/browser/artifacts/', import.meta.url);

describe.skipIf(!existsSync(CHROMIUM))('diagram webview in Chromium', () => {
    let browser: Browser;
    let closeBrowser: () => Promise<void>;
    let server: Server;
    let origin: string;
    let page: Page;
    let svg: string;
    let standalone: string;
    let onlineRange: { start: { line: number; character: number } };

    beforeAll(async () => {
        expect(existsSync(SCRIPT), 'out/diagram.js is built (npm run build)').toBe(true);
        const text = readFileSync(new URL('echo-client.fsm', EXAMPLES), 'utf8');
        ({ svg, standalone, onlineRange } = await withDocuments([text], async ([document]) => {
            const placed = await placeMachine(document!.parseResult.value.machines[0]!, document);
            const online = placed.nodes.find((node) => node.label === 'Online')!;
            return { svg: renderSvg(placed, { standalone: false }), standalone: renderSvg(placed, { standalone: true }), onlineRange: online.range! };
        }));
        // The page itself is fulfilled by the browser context's route (see openPanel), the script by the server.
        const served = await serve({ '/diagram.js': { type: 'text/javascript', body: readFileSync(SCRIPT) } });
        server = served.server;
        origin = served.origin;
        ({ browser, close: closeBrowser } = await launchChromium());
    }, 60_000);

    afterAll(async () => {
        await closeBrowser?.();
        server?.close();
    });

    const openPanel = (): Promise<Page> => openDiagramPanel(browser, origin);

    async function postUpdate(target: Page): Promise<void> {
        await target.evaluate((picture) => window.postMessage({ type: 'update', svg: picture, machine: 'EchoClient', machines: ['EchoClient', 'Other'] }, '*'), svg);
        await target.waitForSelector('#canvas svg .fsm-state');
    }

    it('shows the diagram, fitted, with every state and the machine chooser', async () => {
        page = await openPanel();
        await postUpdate(page);
        expect(await page.locator('#canvas .fsm-state').count()).toBe(4);
        expect(await page.locator('#machine option').allTextContents()).toEqual(['EchoClient', 'Other']);
        const transform = await page.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform);
        expect(transform).toMatch(/^translate\([-\d.]+px, [-\d.]+px\) scale\([\d.]+\)$/);
        await mkdir(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: new URL('diagram-webview.png', ARTIFACTS).pathname });
    });

    it('reports a click on a state as a reveal of its name', async () => {
        await page.locator('#canvas .fsm-state', { hasText: 'Online' }).click();
        const sent = await page.evaluate(() => (window as unknown as { __sent: Sent[] }).__sent.filter((message) => message.type === 'reveal'));
        expect(sent.at(-1)?.range?.start).toEqual(onlineRange.start);
    });

    it('highlights the innermost element under the editor cursor', async () => {
        await page.evaluate((at) => window.postMessage({ type: 'highlight', line: at.line, character: at.character }, '*'), onlineRange.start);
        // The message is delivered asynchronously: wait for its effect.
        await page.waitForSelector('#canvas .fsm-selected');
        const selected = await page.locator('#canvas .fsm-selected').allTextContents();
        expect(selected).toHaveLength(1);
        expect(selected[0]).toContain('Online');
    });

    it('keeps pan and zoom when the diagram updates while typing', async () => {
        const before = await page.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform);
        await page.locator('#zoom-in').click();
        const zoomed = await page.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform);
        expect(zoomed).not.toBe(before);
        await postUpdate(page);
        expect(await page.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform)).toBe(zoomed);
    });

    it('fits another machine into view when the panel switches to it (a big machine no longer opens zoomed into one corner)', async () => {
        const panel = await openPanel();
        await postUpdate(panel);
        const fitted = await panel.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform);
        for (let i = 0; i < 4; i++) {
            await panel.locator('#zoom-in').click();
        }
        const zoomed = await panel.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform);
        expect(zoomed).not.toBe(fitted);
        // The same picture as another machine: shown fitted, as the first one was, not zoomed into a corner.
        await panel.evaluate((picture) => window.postMessage({ type: 'update', svg: picture, machine: 'Other', machines: ['EchoClient', 'Other'] }, '*'), svg);
        await panel.waitForFunction((before) => (document.getElementById('canvas') as HTMLElement).style.transform !== before, zoomed);
        expect(await panel.locator('#canvas').evaluate((element) => (element as HTMLElement).style.transform)).toBe(fitted);
        await panel.context().close();
    });

    it('asks for another machine when one is chosen', async () => {
        await page.locator('#machine').selectOption('Other');
        const sent = await page.evaluate(() => (window as unknown as { __sent: Sent[] }).__sent.filter((message) => message.type === 'chooseMachine'));
        expect(sent.at(-1)?.machine).toBe('Other');
    });

    it('blocks an injected inline script and a remote resource (the CSP holds)', async () => {
        const ran = await page.evaluate(async () => {
            const script = document.createElement('script');
            script.textContent = 'window.__injected = true;';
            document.body.appendChild(script);
            const image = document.createElement('img');
            image.src = 'http://127.0.0.2:9/x.png';
            document.body.appendChild(image);
            await new Promise((resolve) => setTimeout(resolve, 200));
            return (window as unknown as { __injected?: boolean }).__injected === true;
        });
        expect(ran).toBe(false);
        const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
        expect(violations).toContain('script-src-elem');
        expect(violations).toContain('img-src');
    });

    it('parses the standalone SVG export as a valid SVG document', async () => {
        const result = await page.evaluate((text) => {
            const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
            return { error: parsed.querySelector('parsererror')?.textContent ?? null, root: parsed.documentElement.nodeName, states: parsed.querySelectorAll('.fsm-state').length };
        }, standalone);
        expect(result).toEqual({ error: null, root: 'svg', states: 4 });
    });

    it('shows a machine of 500 states compact and fitted into the panel', async () => {
        const big = await withDocuments([generateMachine(500).text], async ([document]) =>
            renderSvg(await placeMachine(chooseMachine(document!.parseResult.value)!, document), { standalone: false })
        );
        const panel = await openPanel();
        await panel.evaluate((picture) => window.postMessage({ type: 'update', svg: picture, machine: 'Big', machines: ['Big'] }, '*'), big);
        await panel.waitForSelector('#canvas svg .fsm-state');
        expect(await panel.locator('#canvas .fsm-state').count()).toBe(500);
        expect(await panel.locator('#canvas .fsm-raised').count()).toBeGreaterThan(100);
        expect(await panel.locator('#canvas .fsm-edge-raises').count()).toBe(0);
        // Fitted: the whole picture, far wider than the panel, scaled down to its width or height.
        const box = await panel.locator('#canvas svg').boundingBox();
        expect(box!.width).toBeLessThanOrEqual(1000 + 1);
        expect(box!.height).toBeLessThanOrEqual(760 + 1);
        expect(Math.max(box!.width, box!.height)).toBeGreaterThan(300);
        await panel.screenshot({ path: new URL('diagram-webview-500.png', ARTIFACTS).pathname });
        await panel.context().close();
    }, 60_000);

    it('has Mermaid accept the stateDiagram-v2 text of every example machine', async () => {
        const texts = readFileSync(new URL('../../node_modules/mermaid/dist/mermaid.min.js', import.meta.url));
        const diagrams = await withDocuments(
            readdirSync(EXAMPLES)
                .filter((name) => name.endsWith('.fsm'))
                .sort()
                .map((name) => readFileSync(new URL(name, EXAMPLES), 'utf8')),
            (documents) => documents.flatMap((document) => document.parseResult.value.machines.map((machine) => machineToMermaid(machine)))
        );
        const mermaidPage = await (await browser.newContext()).newPage();
        await mermaidPage.setContent('<!DOCTYPE html><html><body></body></html>');
        await mermaidPage.addScriptTag({ content: texts.toString('utf8') });
        const results = await mermaidPage.evaluate(async (all) => {
            const api = (window as unknown as { mermaid: { initialize(options: object): void; parse(text: string): Promise<unknown> } }).mermaid;
            api.initialize({ startOnLoad: false });
            const outcomes: string[] = [];
            for (const text of all) {
                try {
                    await api.parse(text);
                    outcomes.push('ok');
                } catch (error) {
                    outcomes.push(String(error));
                }
            }
            return outcomes;
        }, diagrams);
        expect(diagrams.length).toBeGreaterThan(7);
        expect(results).toEqual(diagrams.map(() => 'ok'));
        // And the parser is not vacuous: broken text is refused.
        const refused = await mermaidPage.evaluate(async () => {
            const api = (window as unknown as { mermaid: { parse(text: string): Promise<unknown> } }).mermaid;
            return api.parse('stateDiagram-v2\n  s0 --> : :').then(() => 'accepted', () => 'refused');
        });
        expect(refused).toBe('refused');
    }, 60_000);
});

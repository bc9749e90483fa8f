// Debian's Chromium driven by playwright-core, a tiny loopback HTTP server for the pages under test, and the diagram
// panel's page opened with a stand-in for VS Code's host (`acquireVsCodeApi`, postMessage).
import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { diagramPage } from '../../client/diagram-html.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Chromium with the flags this machine needs; playwright gives every launch a fresh, temporary profile. */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
    const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync'
        ]
    });
    return {
        browser,
        close: () => browser.close()
    };
}

/** Serves fixed paths on 127.0.0.1; returns the origin. */
export async function serve(routes: Record<string, { type: string; body: string | Buffer }>): Promise<{ origin: string; server: Server }> {
    const server = createServer((request, response) => {
        const route = routes[new URL(request.url ?? '/', 'http://x').pathname];
        if (!route) {
            response.writeHead(404).end();
            return;
        }
        response.writeHead(200, { 'content-type': route.type }).end(route.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { origin: `http://127.0.0.1:${port}`, server };
}

const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

/** A message the webview sent to its host. */
export interface Sent {
    type: string;
    range?: { start: { line: number; character: number } };
    machine?: string;
}

/**
 * Opens the page our panel builds in a fresh context, its script served from `origin`; records what the script sends
 * (window.__sent) and what the CSP blocks (window.__violations); resolves once the script is ready.
 */
export async function openDiagramPanel(browser: Browser, origin: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    const opened = await context.newPage();
    await opened.addInitScript(() => {
        const sent: unknown[] = [];
        let state: unknown;
        Object.assign(window, {
            __sent: sent,
            __violations: [] as string[],
            acquireVsCodeApi: () => ({ postMessage: (message: unknown) => sent.push(message), getState: () => state, setState: (next: unknown) => (state = next) })
        });
        document.addEventListener('securitypolicyviolation', (event) => (window as unknown as { __violations: string[] }).__violations.push(event.violatedDirective));
    });
    const html = diagramPage({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/diagram.js` });
    await opened.route(`${origin}/page.html`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
    await opened.goto(`${origin}/page.html`);
    await opened.waitForFunction(() => (window as unknown as { __sent: Sent[] }).__sent.some((message) => message.type === 'ready'));
    return opened;
}

/** What the webview has sent of one type, oldest first. */
export async function sentOfType(page: Page, type: string): Promise<Sent[]> {
    return page.evaluate((wanted) => (window as unknown as { __sent: Sent[] }).__sent.filter((message) => message.type === wanted), type);
}

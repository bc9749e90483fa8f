// Debian's Chromium driven by playwright-core, and a tiny loopback HTTP server for the pages under test.
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';

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

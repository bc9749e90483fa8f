// Test runner setup: the Node 20 polyfill loads before any test imports Langium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        setupFiles: ['./language/polyfill.ts'],
        testTimeout: 30_000,
        reporters: ['default']
    }
});

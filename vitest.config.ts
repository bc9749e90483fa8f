// Test runner setup: the Node 20 polyfill loads before any test imports Langium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        // The real-VS-Code suites are mocha suites run inside VS Code by test/e2e/run.sh.
        exclude: ['test/e2e/**', '**/node_modules/**'],
        setupFiles: ['./language/polyfill.ts'],
        testTimeout: 30_000,
        reporters: ['default']
    }
});

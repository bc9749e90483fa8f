// Lint setup (`npm run lint`): @eslint/js and typescript-eslint recommended, type-checked, plus the house's own rules.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * The house rule: a file opens with a `//` line saying what the file is for. Only a shebang and `/// <reference …/>`
 * directives (which TypeScript wants first) may stand above it; a tool's directive (`// eslint-disable`, `// @ts-nocheck`)
 * or an empty comment does not count as the header.
 */
const fileHeader = {
    meta: {
        type: 'suggestion',
        docs: { description: 'every file starts with a `//` comment line saying its job' },
        schema: [],
        messages: {
            missing: 'The file should start with a `//` comment line saying its job.',
            empty: 'The first line should say the file\'s job, not be an empty comment or a tool\'s directive.'
        }
    },
    create(context) {
        return {
            Program() {
                const lines = context.sourceCode.lines;
                let index = 0;
                if (lines[0]?.startsWith('#!')) index += 1;
                while (index < lines.length && /^\/\/\/\s*<reference\b/.test(lines[index])) index += 1;
                const header = /^\/\/(?!\/)(.*)$/.exec(lines[index] ?? '');
                const loc = { start: { line: index + 1, column: 0 }, end: { line: index + 1, column: (lines[index] ?? '').length } };
                if (!header) {
                    context.report({ loc, messageId: 'missing' });
                    return;
                }
                const text = header[1].trim();
                const directive = /^(eslint(-disable|-enable)?|global|exported|@ts-|prettier-ignore|#region|istanbul|c8|v8)\b/;
                if (!/\p{L}/u.test(text) || directive.test(text)) context.report({ loc, messageId: 'empty' });
            }
        };
    }
};

/**
 * typescript-eslint's no-unnecessary-type-assertion, less one house convention: a value read from an array position or
 * a record's key is asserted present (`items[i]!`, `const [first] = list; first!`, `byName.key!`) as if the compiler's
 * `noUncheckedIndexedAccess` were on (test/e2e's tsconfig has it), to say that the code relies on it being there.
 * Every other assertion that changes nothing (`x as T` where x is a T, `y!` where y cannot be undefined) is reported.
 */
const upstreamAssertion = tseslint.plugin.rules['no-unnecessary-type-assertion'];
const unnecessaryAssertion = {
    meta: { ...upstreamAssertion.meta, docs: { description: 'type assertions that change nothing, except on indexed reads' } },
    defaultOptions: upstreamAssertion.defaultOptions,
    create(context) {
        const { sourceCode } = context;
        /** Whether `node` (what `!` applies to) reads an array position or a record key. */
        const indexedRead = (node) => {
            if (node.type === 'MemberExpression') {
                if (node.computed) return true;
                const services = sourceCode.parserServices;
                const type = services.getTypeAtLocation(node.object);
                return !type.getProperty(node.property.name) && services.program.getTypeChecker().getIndexInfosOfType(type).length > 0;
            }
            if (node.type !== 'Identifier') return false;
            for (let scope = sourceCode.getScope(node); scope; scope = scope.upper) {
                const variable = scope.set.get(node.name);
                if (!variable) continue;
                return variable.defs.some((def) => {
                    const parent = def.name.parent?.type === 'AssignmentPattern' ? def.name.parent.parent : def.name.parent;
                    return parent?.type === 'ArrayPattern';
                });
            }
            return false;
        };
        const filtered = Object.create(context, {
            report: {
                value: (descriptor) => {
                    if (descriptor.node?.type === 'TSNonNullExpression' && indexedRead(descriptor.node.expression)) return;
                    context.report(descriptor);
                }
            }
        });
        return upstreamAssertion.create(filtered);
    }
};

/**
 * `npm run lint` reads the tests (test/, ~20,000 lines) without type information: with it, the run takes about 50 s of
 * CPU on this 2-core machine instead of about 30. `npm run lint:all` (LINT_ALL_TYPED=1) reads them with types too.
 */
const testsTyped = process.env.LINT_ALL_TYPED === '1';

export default defineConfig(
    // Generated output and installed packages; the TypeScript files are what is linted.
    globalIgnores([
        '**/node_modules/**',
        '**/out/**',
        'test/browser/artifacts/**',
        'language/generated/**',
        'generated/**',
        '.scratch/**',
        'coverage/**',
        '**/*.js',
        '**/*.cjs',
        '**/*.mjs'
    ]),
    {
        files: ['**/*.ts'],
        extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
        languageOptions: {
            parserOptions: {
                // Each file is checked in the project of its nearest tsconfig.json: the root one, client/,
                // client/webview/ or test/e2e/.
                projectService: true,
                tsconfigRootDir: import.meta.dirname
            }
        },
        linterOptions: { reportUnusedDisableDirectives: 'error' },
        plugins: { house: { rules: { 'file-header': fileHeader, 'no-unnecessary-type-assertion': unnecessaryAssertion } } },
        rules: {
            'house/file-header': 'error',
            '@typescript-eslint/no-unnecessary-type-assertion': 'off',
            'house/no-unnecessary-type-assertion': 'error',
            // As the compiler's noUnusedParameters: a parameter an override must declare is named `_name`.
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
            // As only-throw-error's defaults: a caught value of unknown type may be passed on as it is.
            '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }]
        }
    },
    {
        // The examples' hand-written actions import the events module `generate` writes beside them, so their types
        // exist only inside a generated project: linted without type information.
        files: ['examples/**/*.ts'],
        extends: [tseslint.configs.disableTypeChecked],
        rules: { 'house/no-unnecessary-type-assertion': 'off' }
    },
    testsTyped
        ? []
        : {
              files: ['test/**/*.ts', 'vitest.config.ts'],
              extends: [tseslint.configs.disableTypeChecked],
              rules: { 'house/no-unnecessary-type-assertion': 'off' },
              // The directives that silence a type-aware rule are for `npm run lint:all`.
              linterOptions: { reportUnusedDisableDirectives: 'off' }
          }
);

// Names in generated code: model names made safe as TypeScript identifiers, file names and environment variables.

/** Words a generated identifier must not be, even where TypeScript would allow some of them. */
const RESERVED = new Set([
    'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
    'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
    'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as', 'implements', 'interface',
    'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'any', 'boolean', 'constructor', 'declare', 'get',
    'module', 'require', 'number', 'set', 'string', 'symbol', 'type', 'from', 'of', 'await', 'async', 'undefined', 'never',
    'unknown', 'object', 'keyof', 'readonly', 'infer', 'is', 'asserts', 'namespace', 'abstract', 'override', 'accessor',
    'satisfies', 'out', 'arguments', 'eval', 'NaN', 'Infinity',
    // Object.prototype members: as object keys or members they would shadow or break built-in behaviour.
    '__proto__', 'prototype', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf',
    '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__'
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Hands out unique, safe identifiers within one scope (a file, a class, an object type). */
export class NameAllocator {
    private readonly taken: Set<string>;

    constructor(taken: Iterable<string> = []) {
        this.taken = new Set(taken);
    }

    /** `wanted` itself when it is free and safe, else `wanted_`, `wanted__`, … */
    claim(wanted: string): string {
        if (!IDENTIFIER.test(wanted)) {
            throw new Error(`internal: '${wanted}' is not an identifier`);
        }
        let name = wanted;
        while (RESERVED.has(name) || this.taken.has(name)) {
            name = `${name}_`;
        }
        this.taken.add(name);
        return name;
    }
}

/** Splits `EchoClient`, `echo_client`, `HTTPServer2` into lower-case words. */
function words(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
        .split(/[^A-Za-z0-9]+/)
        .filter((word) => word !== '')
        .map((word) => word.toLowerCase());
}

/** `EchoClient` → `echo-client` (file names). */
export function kebabCase(name: string): string {
    return words(name).join('-') || 'machine';
}

/** `EchoClient` → `ECHO_CLIENT` (environment variables). */
export function constantCase(name: string): string {
    return words(name).join('_').toUpperCase();
}

/** `echo_client` → `EchoClient`. */
export function pascalCase(name: string): string {
    const joined = words(name).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
    return /^[0-9]/.test(joined) ? `_${joined}` : joined || '_';
}

/** A string as a TypeScript string literal (model names and messages never reach code unescaped). */
export function stringLiteral(text: string): string {
    return JSON.stringify(text);
}

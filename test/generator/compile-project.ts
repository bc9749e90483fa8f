// Compiles a generated project with the real TypeScript compiler and its own tsconfig.json, `node` types from this
// repository; one compiler host per process, so lib and @types/node files are parsed once. No Langium here.
import * as path from 'node:path';
import ts from 'typescript';

const sourceCache = new Map<string, ts.SourceFile>();
const typesRoot = path.resolve(import.meta.dirname, '../../node_modules/@types');

/**
 * Type-checks the project as `tsc -p folder` would, and also writes dist/ when `emit` is set.
 * Returns the diagnostics as `file(line,col): message` lines.
 */
export function compileProject(folder: string, options: { emit?: boolean } = {}): string[] {
    const configPath = path.join(folder, 'tsconfig.json');
    const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
    const overrides: ts.CompilerOptions = options.emit ? { typeRoots: [typesRoot], sourceMap: false } : { noEmit: true, typeRoots: [typesRoot] };
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, folder, overrides, configPath);
    if (parsed.fileNames.length === 0) {
        return ['no source files found'];
    }
    const host = ts.createCompilerHost(parsed.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
        if (fileName.startsWith(folder)) {
            return getSourceFile(fileName, languageVersion, onError, shouldCreate);
        }
        let cached = sourceCache.get(fileName);
        if (!cached) {
            cached = getSourceFile(fileName, languageVersion, onError, shouldCreate);
            if (cached) {
                sourceCache.set(fileName, cached);
            }
        }
        return cached;
    };
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
    const emitted = options.emit ? program.emit().diagnostics : [];
    return [...parsed.errors, ...ts.getPreEmitDiagnostics(program), ...emitted].map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
        if (diagnostic.file && diagnostic.start !== undefined) {
            const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
            return `${path.relative(folder, diagnostic.file.fileName)}(${line + 1},${character + 1}): ${message}`;
        }
        return message;
    });
}

// What the dependency tests read: the TypeScript files of a folder and the module specifiers each one imports.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** Every `.ts` file under `folder`, sorted. */
export function sourceFiles(folder: string): string[] {
    return readdirSync(folder, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort();
}

/** Every module specifier of `text` (imports, re-exports, `import('…')`), as TypeScript's own scanner finds them. */
export function specifiers(text: string): string[] {
    return ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
}

// Where "Generate Code" writes: the setting with its variables expanded, relative paths taken from the workspace folder.
import * as path from 'node:path';

export const DEFAULT_OUTPUT_FOLDER = '${workspaceFolder}/generated/${fileBasenameNoExtension}';

/** Expands `${workspaceFolder}`, `${fileDirname}` and `${fileBasenameNoExtension}` and makes the result absolute. */
export function resolveOutputFolder(setting: string, modelPath: string, workspaceFolder: string | undefined): string {
    const base = workspaceFolder ?? path.dirname(modelPath);
    const expanded = (setting.trim() === '' ? DEFAULT_OUTPUT_FOLDER : setting)
        .replaceAll('${workspaceFolder}', base)
        .replaceAll('${fileDirname}', path.dirname(modelPath))
        .replaceAll('${fileBasenameNoExtension}', path.basename(modelPath, path.extname(modelPath)));
    return path.resolve(base, expanded);
}

// What a failed file-system call means, in words: one table for reading models and writing generated projects.

const MEANINGS: Readonly<Record<string, string>> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exhausted',
    ENAMETOOLONG: 'the name is too long for the file system',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'it is a folder',
    ELOOP: 'too many symbolic links',
    ENXIO: 'it is not a regular file',
    EEXIST: 'it appeared while generating'
};

/** The error's meaning (its code when no words are known for it, else its message). */
export function describeFileError(error: unknown): string {
    const code = (error as NodeJS.ErrnoException).code;
    return (code !== undefined ? MEANINGS[code] : undefined) ?? code ?? (error instanceof Error ? error.message : String(error));
}

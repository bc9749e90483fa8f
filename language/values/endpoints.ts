// The values of a `process` (its command line) and of a `tls { … }` block, as the checks, the generator and the hover read them.
import type { Process, Socket, TlsOption, TlsSetting } from '../generated/ast.js';
import type { Parsed } from './quantities.js';
import { GrammarUtils } from 'langium';
import { literalAsWritten, parseStringLiteral } from './framing.js';

/** A process's command and arguments, each string literal decoded (JSON escapes); the first problem otherwise. */
export function processCommand(process: Process): Parsed<{ command: string; args: string[] }> {
    const parts: string[] = [];
    // The literals as written (the parsed values have lost their escapes).
    const command = literalAsWritten(process, 'command');
    const args = GrammarUtils.findNodesForProperty(process.$cstNode, 'arguments').map((node) => node.text);
    for (const written of [...(command === undefined ? [] : [command]), ...args]) {
        const parsed = parseStringLiteral(written);
        if (!parsed.ok) {
            return parsed;
        }
        if (parsed.value.includes('\0')) {
            return { ok: false, message: `${written} holds a NUL character, which no command line can carry.` };
        }
        parts.push(parsed.value);
    }
    const [program, ...rest] = parts;
    if (program === undefined || program.trim() === '') {
        return { ok: false, message: "The command is empty: write the program to run, like 'spawn \"node\" \"worker.js\"'." };
    }
    return { ok: true, value: { command: program, args: rest } };
}

/** The settings of a `tls` block: PEM file paths (`ca`, `cert`, `key`) and the name to check (`servername`). */
export interface TlsSettings {
    ca?: string;
    cert?: string;
    key?: string;
    servername?: string;
}

/** The setting's value decoded; undefined when it is not a valid string (the check reports it). */
export function tlsSettingValue(setting: TlsSetting): string | undefined {
    const written = setting.value === undefined ? undefined : literalAsWritten(setting, 'value');
    const parsed = written === undefined ? undefined : parseStringLiteral(written);
    return parsed?.ok ? parsed.value : undefined;
}

/** The `tls` option of a socket, if it has one. */
export function tlsOption(socket: Socket): TlsOption | undefined {
    return socket.members.find((member): member is TlsOption => member.$type === 'TlsOption');
}

/** What a socket's `tls` block says (the first of each setting); undefined without one. */
export function tlsSettings(socket: Socket): TlsSettings | undefined {
    const option = tlsOption(socket);
    if (!option) {
        return undefined;
    }
    const settings: TlsSettings = {};
    for (const setting of option.settings) {
        const value = tlsSettingValue(setting);
        const name = setting.name;
        if (value !== undefined && settings[name] === undefined) {
            settings[name] = value;
        }
    }
    return settings;
}

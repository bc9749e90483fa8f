// The words the language fuzzer builds its inputs from: every keyword, names, durations, counts, addresses,
// signals, punctuation, comments, odd Unicode and control characters.

/** Every keyword of the grammar (language/reactor-fsm.langium). */
export const KEYWORDS = [
    'machine', 'events', 'initial', 'final', 'state', 'on', 'entry', 'exit', 'after',
    'client', 'server', 'connection', 'listen', 'connect', 'close', 'raise', 'stop',
    'accept', 'read', 'drain', 'error', 'timeout', 'idle', 'heartbeat', 'session', 'signal',
    'reuseaddr', 'nodelay', 'keepalive', 'backlog', 'reconnect',
    'parallel', 'region', 'history', 'deep', 'done',
    'send', 'pause', 'resume', 'payload', 'framing', 'none', 'lines', 'length', 'delimiter', 'max'
] as const;

/** Keywords in the wrong case, and words that look like keywords. */
export const NEAR_KEYWORDS = ['Machine', 'STATE', 'On', 'Initial', 'event', 'states', 'machines', 'onn', 'afterr', 'Close', 'Stop', 'RAISE'];

/** Names a model might use: short ones that collide, usual ones, odd but legal ones. */
export const NAMES = [
    'A', 'B', 'S', 'T', 'Go', 'Stop', 'Data', 'Done', 'Idle', 'Busy', 'Online', 'Closed', 'Connected', 'Timeout',
    'x', '_', '__', '_1', 'a1b2', 'Main', 'Session', 'EchoServer', 'upstream', 'conn', 'ready', 'retriesLeft'
];

/** Names that are not names: leading digits, Unicode letters, dashes. */
export const BAD_NAMES = ['1abc', 'é', 'Zustand_ä', '状態', 'a-b', 'naïve', 'Ωmega', 'x.y', '$x', '@y'];

export const DURATIONS = [
    '1ms', '250ms', '3s', '1.5s', '0.001s', '2m', '1h', '596h', '2147483647ms',
    '0s', '-3s', '597h', '2147483648ms', '0.5ms', '1.0005s', '5S', '5sec', '5d', '5', '.5s', '1e3ms', '3 s',
    '99999999999999999999999999h', '0.0000000000000001s', '-0ms', '1..2s', '100ms..5s', '5s..100ms', '1_000ms'
];

export const COUNTS = ['0', '1', '511', '65535', '65536', '-1', '1.5', '007', '18446744073709551616'];

export const ADDRESSES = [
    '127.0.0.1:7000', 'localhost:7000', 'db-1.internal:5432', '[::1]:7000', '[::]:6667', '"metrics.internal:2003"',
    '::1:7000', '"::1:7000"', '[fe80::1%eth0]:1', '256.1.1.1:80', 'a:99999999', 'a:65536', 'a:0', '"a:1', '"unterminated',
    '":"', '"\\"":1', 'a.:1', '-a:1', 'a..b:1', '[:1', '[::1:7000', '1.2.3.4.5:6', '"a b:1"', ':7000', 'host:', '""'
];

export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGKILL', 'SIGSTOP', 'sigterm', 'TERM', 'SIGFOO', 'SIGBREAK'];

export const PUNCTUATION = [
    '{', '}', '[', ']', '!', '!!', '->', '-', '>', '/', ',', '..', '.', ':', ';', '(', ')', '"', "'", '\\', '<', '=', '*',
    '%', '#', '@', '`', '~', '^', '&', '&&', '|', '=>', '<-', '...', '->->', '{}', '[]', '/ ,'
];

export const COMMENTS = [
    '// a comment', '//', '/* block */', '/**/', '/* two\nlines */', '/*', '*/', '/* unclosed', '/* /* nested */ */',
    '// ends with CR\r', '/*/', '///', '/* \u2028 */'
];

/** Unicode that tends to break position arithmetic: surrogates, line and paragraph separators, BOM, RTL, combining marks. */
export const UNICODE = [
    'é', 'e\u0301', '日本', '😀', '👩‍👩‍👧', '\uD800', '\uDC00', '\uDBFF\uDFFF', '\uFEFF', '\u2028', '\u2029', '\u00A0', '\u200B',
    '\u202E', '\u0085', '\u3000', '\uFFFD', '\uFFFF', 'ﬁ', 'İ', 'ß', 'Ａ'
];

/** Control characters, line breaks of every kind, NUL. */
export const CONTROL = ['\0', '\t', '\r', '\n', '\r\n', '\n\r', '\v', '\f', '\x1b', '\x7f', '\x01', '\b'];

export const SEPARATORS = [' ', ' ', ' ', '\n', '', '\t', '\r\n', '\n\n    ', '\r'];

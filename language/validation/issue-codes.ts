// Every diagnostic's stable code and severity, in one table shared by checks, the CLI, quick fixes, docs and tests.

export const IssueCodes = {
    SyntaxError: 'syntax-error',
    UnresolvedReference: 'unresolved-reference',
    UnreachableState: 'unreachable-state',
    TerminalState: 'terminal-state',
    FinalHasTransitions: 'final-has-transitions',
    NoInitial: 'no-initial',
    ManyInitial: 'many-initial',
    DuplicateName: 'duplicate-name',
    Nondeterministic: 'nondeterministic',
    ShadowedTransition: 'shadowed-transition',
    UnusedEvent: 'unused-event',
    EventNeverFires: 'event-never-fires',
    CannotFinish: 'cannot-finish',
    BadAddress: 'bad-address',
    MisplacedOption: 'misplaced-option',
    RepeatedOption: 'repeated-option',
    BadOptionValue: 'bad-option-value',
    ConflictingOptionValues: 'conflicting-option-values',
    MissingSession: 'missing-session',
    SelfSession: 'self-session',
    SessionWithoutConnection: 'session-without-connection',
    ManyConnections: 'many-connections',
    BadConnectTarget: 'bad-connect-target',
    IneffectiveOption: 'ineffective-option',
    BadDuration: 'bad-duration',
    BadSignal: 'bad-signal'
} as const;

export type IssueCode = (typeof IssueCodes)[keyof typeof IssueCodes];

export type IssueSeverity = 'error' | 'warning' | 'info';

/** The one severity each code is reported with. */
export const IssueSeverities: Record<IssueCode, IssueSeverity> = {
    'syntax-error': 'error',
    'unresolved-reference': 'error',
    'unreachable-state': 'warning',
    'terminal-state': 'warning',
    'final-has-transitions': 'error',
    'no-initial': 'error',
    'many-initial': 'error',
    'duplicate-name': 'error',
    nondeterministic: 'error',
    'shadowed-transition': 'warning',
    'unused-event': 'warning',
    'event-never-fires': 'info',
    'cannot-finish': 'info',
    'bad-address': 'error',
    'misplaced-option': 'error',
    'repeated-option': 'error',
    'bad-option-value': 'error',
    'conflicting-option-values': 'error',
    'missing-session': 'error',
    'self-session': 'error',
    'session-without-connection': 'error',
    'many-connections': 'error',
    'bad-connect-target': 'error',
    'ineffective-option': 'warning',
    'bad-duration': 'error',
    'bad-signal': 'error'
};

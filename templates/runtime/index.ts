// The reactor runtime: copied verbatim into every generated project; Node's standard library only.
export { AddressError, addressFromEnv, checkAddressOverrides, describeAddress, parseAddress, type Address } from './addresses.js';
export { Backoff } from './backoff.js';
export { driveManualClock, ManualClock, RealClock, type Clock, type ClockTimer } from './clock.js';
export { ClientDispatcher, type ClientOptions } from './client-dispatcher.js';
export { runWorkers, workerCount, type ClusterOptions, type WorkerCount } from './cluster.js';
export { ConnectionDispatcher } from './connection-dispatcher.js';
export { ReactorError } from './errors.js';
export { EventQueue } from './event-queue.js';
export { DEFAULT_MAX_FRAME, DEFAULT_MAX_LINE, encodeFrame, FrameDecoder, FramingError, prefixLimit, type Framing, type FramingErrorCode } from './framing.js';
export { HierarchicalMachine, NONE, RegionMachine, type RegionTables } from './hierarchy.js';
export { Machine, START_EVENT, State, type Closable, type EventSource, type IoDetail, type MachineHost, type MachineObserver, type MachineStatus, type SignalTable } from './machine.js';
export { ProcessDispatcher, ProcessError, type ProcessEvents, type ProcessOptions } from './process-dispatcher.js';
export { Reactor, type ReactorOptions } from './reactor.js';
export { removeStaleSockets, ServerDispatcher, type ServerEvents, type ServerOptions, type SessionFactory } from './server-dispatcher.js';
export { DEFAULT_LINGER_MS, NO_EVENT, StreamDispatcher, type StreamEvents, type StreamOptions } from './stream-dispatcher.js';
export { tlsFromEnv, TlsSetupError, type TlsFiles } from './tls.js';
export { traceFormat, traceObserver, traceObservers, type TraceFormat } from './trace.js';
export { traceJson, traceText, type ActionPhase, type IoWhat, type TraceKind, type TraceLine } from './trace-format.js';

// The debug adapter's entry: speaks the Debug Adapter Protocol over stdin/stdout (`node out/debug-adapter.cjs`).
import '../language/polyfill.js';
import { DebugSession } from '@vscode/debugadapter';
import { ReactorFsmDebugSession } from '../language/debug/dap-session.js';

DebugSession.run(ReactorFsmDebugSession);

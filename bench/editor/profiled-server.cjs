// Runs the bundled language server under the V8 CPU profiler (Node 20 refuses --cpu-prof in NODE_OPTIONS, and the
// LSP test client spawns `node <script> --stdio`). Writes <dir>/server-<pid>.cpuprofile when the process exits.
// Usage: REACTOR_FSM_CPU_PROFILE_DIR=<dir> node bench/editor/profiled-server.cjs --stdio
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.REACTOR_FSM_CPU_PROFILE_DIR || process.cwd();
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('exit', () => {
    // The main-thread session answers synchronously, so the profile is written before the process ends.
    session.post('Profiler.stop', (error, result) => {
        if (!error) {
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        }
    });
});
require(path.resolve(__dirname, '../../out/server.cjs'));

// A small agent preloaded into the benchmarked servers (NODE_OPTIONS="--expose-gc --import …/agent.mjs" for
// Kindred, execArgv for the baseline), so the driver can ask them things by signal. Node 20 refuses
// --cpu-prof in NODE_OPTIONS, hence the in-process profiler. Plain JavaScript: it loads before tsx.
// - SIGWINCH (ignored by default, so harmless without the agent): a full garbage collection, then
//   process.memoryUsage() written to $BENCH_AGENT_DIR/memory-<pid>.json with a sequence number.
// - SIGUSR2, when BENCH_PROFILE=1: toggles V8's sampling profiler; each stop writes
//   $BENCH_AGENT_DIR/profile-<pid>-<n>.cpuprofile.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_AGENT_DIR;
if (dir) {
  let asked = 0;
  process.on('SIGWINCH', () => {
    asked += 1;
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const file = join(dir, `memory-${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq: asked, ...process.memoryUsage() }));
    renameSync(`${file}.tmp`, file);
  });

  if (process.env.BENCH_PROFILE === '1') {
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 250 });
    let running = false;
    let written = 0;
    process.on('SIGUSR2', () => {
      if (!running) {
        running = true;
        session.post('Profiler.start');
        return;
      }
      running = false;
      // An in-thread inspector session answers synchronously.
      session.post('Profiler.stop', (error, result) => {
        written += 1;
        if (!error)
          writeFileSync(join(dir, `profile-${process.pid}-${written}.cpuprofile`), JSON.stringify(result.profile));
      });
    });
  }
}

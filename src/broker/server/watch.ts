// Entry point of the broker server's watchdog process, started by the server (see watchdog.ts).
import { runWatchdog } from './watchdog.js';

runWatchdog();

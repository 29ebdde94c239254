// Entry point of the broker server process, run by the restart loop of the session's broker window.
import { runBrokerServer } from './run.js';

await runBrokerServer();

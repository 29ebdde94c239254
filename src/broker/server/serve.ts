// Entry point of the broker server process, spawned by the `__broker` supervisor.
import { runServerChild } from './child.js';

await runServerChild();

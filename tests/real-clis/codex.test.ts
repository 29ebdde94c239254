// Codex 0.171.0 in a git-paw pane against the mock OpenAI Responses API.
import { MARKERS } from '../helpers/mock-models/server.js';
import { describeRealCli } from './scenarios.js';

describeRealCli('codex', {
  ownFiles: ['AGENTS.md'],
  permissionDetail: /command|exec|Bash|shell/i,
  dialog: /Would you like to run the following command\?/,
  errorMarker: MARKERS.error429,
  quit: '/quit',
});

// Gemini CLI 0.61.0 in a git-paw pane against the mock Gemini API.
import { MARKERS } from '../helpers/mock-models/server.js';
import { describeRealCli } from './scenarios.js';

describeRealCli('gemini', {
  ownFiles: ['GEMINI.md', 'AGENTS.md'],
  permissionDetail: /shell/i,
  dialog: /Allow execution of/,
  errorMarker: MARKERS.error429,
  quit: '/quit',
});

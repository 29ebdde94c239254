// Claude Code 2.1.197 in a git-paw pane against the mock Anthropic API.
import { MARKERS } from '../helpers/mock-models/server.js';
import { describeRealCli } from './scenarios.js';

describeRealCli('claude', {
  ownFiles: ['CLAUDE.md'],
  permissionDetail: /Bash/,
  dialog: /Do you want to proceed\?/,
  errorMarker: MARKERS.error429,
  quit: '/exit',
});

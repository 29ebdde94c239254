// Gemini CLI 0.61.0 in a git-paw pane against the mock Gemini API.
import { MCP_TOOL_NAMES } from '../../src/agents/mcp-tools.js';
import { MARKERS } from '../helpers/mock-models/server.js';
import { describeRealCli } from './scenarios.js';

describeRealCli('gemini', {
  ownFiles: ['GEMINI.md', 'AGENTS.md'],
  permissionDetail: /shell/i,
  dialog: /Allow execution of/,
  errorMarker: MARKERS.error429,
  // The quota error asks "1. Keep trying / 2. Stop" (Escape does not close it).
  errorDialog: { pattern: /Usage limit reached/, keys: ['Down', 'Enter'] },
  // Gemini CLI names an MCP tool `mcp_<server>_<tool>`.
  mcpTools: MCP_TOOL_NAMES.map((tool) => `mcp_git-paw_${tool}`),
  quit: '/quit',
});

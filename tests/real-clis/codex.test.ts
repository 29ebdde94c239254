// Codex 0.171.0 in a git-paw pane against the mock OpenAI Responses API.
import { MCP_TOOL_NAMES } from '../../src/agents/mcp-tools.js';
import { MARKERS } from '../helpers/mock-models/server.js';
import { describeRealCli } from './scenarios.js';

describeRealCli('codex', {
  ownFiles: ['AGENTS.md'],
  permissionDetail: /command|exec|Bash|shell/i,
  dialog: /Would you like to run the following command\?/,
  errorMarker: MARKERS.error429,
  // Codex offers an MCP server as one `namespace` tool, `mcp__<server key>`, holding the server's
  // functions; the mock lists each as `<namespace>.<function>`.
  mcpTools: MCP_TOOL_NAMES.map((tool) => `mcp__git_paw.${tool}`),
  quit: '/quit',
});

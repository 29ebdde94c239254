// Claude Code 2.1.197 in a git-paw pane against the mock Anthropic API.
import { MCP_TOOL_NAMES } from '../../src/agents/mcp-tools.js';
import { MARKERS } from '../helpers/mock-models/server.js';
import { describeRealCli } from './scenarios.js';

describeRealCli('claude', {
  ownFiles: ['CLAUDE.md'],
  permissionDetail: /Bash/,
  dialog: /Do you want to proceed\?/,
  errorMarker: MARKERS.error429,
  // Claude names an MCP tool `mcp__<server>__<tool>`.
  mcpTools: MCP_TOOL_NAMES.map((tool) => `mcp__git-paw__${tool}`),
  quit: '/exit',
});

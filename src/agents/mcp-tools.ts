// The names of git-paw's MCP server and tools as the CLIs see them, for the adapters that wire
// the broker's MCP endpoint into a CLI (and pre-approve its tools). Kept apart from the endpoint,
// which loads the MCP SDK: the launch path needs the names only.

/** The server name in each CLI's MCP configuration (Claude shows tools as `mcp__git-paw__<tool>`). */
export const MCP_SERVER_NAME = 'git-paw';

export const MCP_TOOL_NAMES = [
  'publish_status',
  'publish_artifact',
  'report_blocked',
  'read_inbox',
  'wait_for_message',
  'list_peers',
] as const;

/** Why a stdio MCP server was not started: no sandbox could be made, and exec's rule is to run nothing then. */
export function stdioSandboxUnavailableMessage(reason: string): string {
  return (
    `SANDBOX_UNAVAILABLE: not started: stdio MCP servers run only inside bubblewrap, like exec, and no sandbox could be made (${reason}). ` +
    'Install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) on a kernel that allows user and PID namespaces and restart Cody, ' +
    'or set CODY_EXEC_SANDBOX=off to run commands and MCP servers unconfined with all of the server user’s rights.'
  );
}

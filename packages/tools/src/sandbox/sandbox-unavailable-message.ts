/** What an exec call answers when no sandbox could be made: the cause and how to get one. */
export function sandboxUnavailableMessage(reason: string): string {
  return (
    `exec cannot run commands: no sandbox could be made (${reason}). ` +
    'Commands run only inside bubblewrap: install it (Debian/Ubuntu: `apt-get install bubblewrap`) ' +
    'on a kernel that allows user and PID namespaces and restart Cody, or set CODY_EXEC_SANDBOX=off ' +
    'to run commands unconfined with all of the server user’s rights.'
  );
}

export { ApiClient, type ApiClientOptions } from './api-client';
export { CliError } from './cli-error';
export { colours } from './colours';
export { type FollowHandlers, type FollowOptions, followRun } from './follow-run';
export { type CliIo, runCli, USAGE } from './run-cli';
export { TerminalRenderer } from './terminal-renderer';

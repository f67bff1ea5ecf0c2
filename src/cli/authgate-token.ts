#!/usr/bin/env node
// The `authgate-token` command (a `bin` of the package): manages service tokens from a shell. See run-cli.ts.
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});

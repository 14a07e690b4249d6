#!/usr/bin/env node
import { nodeIo, runMain } from './run-main.js';

process.exitCode = await runMain(process.argv.slice(2), process.env, nodeIo);

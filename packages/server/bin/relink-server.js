#!/usr/bin/env node
// The published command: the compiled CLI (in the workspace, `pnpm relink-server` runs the sources).
import "../dist/cli.js";

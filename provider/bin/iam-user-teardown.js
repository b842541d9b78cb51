#!/usr/bin/env node
// The compiled CLI (built by `npm run build`, which npm install runs through `prepare`).
require("../dist/cli/index.js").main();

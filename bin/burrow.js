#!/usr/bin/env node
// The installed entry point. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm install` / `npm ci` through the prepare script).
import "../dist/cli.js";

#!/usr/bin/env node
// Entry point for `flowbook` / `npx flowbook`: Flowbook runs its TypeScript sources through tsx,
// so a checkout works without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../electron/cli/index.ts");
process.exitCode = await main(process.argv.slice(2));

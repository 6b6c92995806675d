#!/usr/bin/env node
// Runs the TypeScript CLI in this process through tsx's loader, so `npx loupe` needs no build step
// and signals (SIGTERM, SIGINT) reach the command itself.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

// Runs the CLI from source (through tsx), e.g. in tests: node --import tsx src/cli/run.ts <command>.
import { main } from './main.js';

process.exitCode = await main(process.argv);

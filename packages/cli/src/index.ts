export { buildProgram, USAGE_ERROR } from "./program.ts";

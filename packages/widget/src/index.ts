export { RelinkConnect } from "./define.ts";

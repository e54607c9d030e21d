// A bound that only catches a hang, never a slow machine: CI shares 2 cores with other jobs, so no test
// may fail because its machine was busy. For child processes and requests to local test servers;
// .mocharc.json's timeout (5 min per test or hook) is the same kind of bound, and a little longer so
// that a hung child is reported by its kill.
export const HANG_MS = 240_000;

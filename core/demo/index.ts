/** Built-in demo backends, the ready-made demo workspace, and the load generator. */
export {
  DemoBackend,
  DemoBackendSpecSchema,
  type DemoBackendDeps,
  type DemoBackendInput,
  type DemoBackendSpec,
  type DemoBackendStats,
  type DemoBackendUpdate,
} from './demo-backend';
export { DEMO_BACKENDS, DemoFleet, createDemo, demoWorkspace, type CreateDemoOptions, type Demo } from './fleet';
export { LATENCY_MAX_MS, LatencySchema, sampleLatency, type LatencyDistribution, type LatencyInput, type LatencySpec } from './latency';
export * from './load/index';

// Which backends the shared suite runs against in this process. By default every backend that
// is available here; CONTRASTIVE_LOSS_TEST_BACKENDS (comma-separated) names them explicitly, and
// then each named one must be available (the relaxed-simd project of vitest.config.ts uses it).
import { availableBackends, type BackendName } from '../../src/index.js';

export function backendsUnderTest(): BackendName[] {
  const requested = process.env.CONTRASTIVE_LOSS_TEST_BACKENDS;
  if (!requested) return availableBackends();
  const names = requested.split(',').map((s) => s.trim()) as BackendName[];
  const available = availableBackends();
  const missing = names.filter((name) => !available.includes(name));
  if (missing.length > 0) {
    throw new Error(`requested test backends are not available in this process: ${missing.join(', ')}`);
  }
  return names;
}

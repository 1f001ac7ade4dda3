import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../helpers/db.js';
import { startHarness, type Harness } from '../helpers.js';

describe.each(engines())('the control plane runs boundary usage on $name', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it("writes what its replica's tracker saw under its replica id", async () => {
    const { tracker, replicaId } = h.cp.boundaryUsage;
    tracker.track('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', 7, 2);
    await tracker.flushToDB(h.cp.system, replicaId);
    const rows = await h.db.query<{ replica_id: string; allowed_requests: number; denied_requests: number }>(
      'q',
      'SELECT replica_id, allowed_requests, denied_requests FROM boundary_usage_stats',
    );
    expect(rows).toEqual([{ replica_id: replicaId, allowed_requests: 7, denied_requests: 2 }]);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { recordAudit, SYSTEM_ACTOR } from "../../lib/audit";
import { pool, prisma } from "../../lib/db";
import { createTenant, type Tenant } from "../support/fixtures";

describe("audit log append-only", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant("Append-only audit");
    await recordAudit(pool(), { organizationId: tenant.organizationId, actor: SYSTEM_ACTOR, action: "webhook.deleted", targetType: "webhook", targetId: "wh_x" });
  });

  async function entryCount(organizationId: string): Promise<number> {
    const result = await pool().query<{ count: number }>(`SELECT count(*)::int AS count FROM audit_entries WHERE organization_id = $1`, [organizationId]);
    return result.rows[0]!.count;
  }

  it("rejects UPDATE through pg", async () => {
    const before = await pool().query(`SELECT * FROM audit_entries WHERE organization_id = $1 ORDER BY id`, [tenant.organizationId]);
    await expect(pool().query(`UPDATE audit_entries SET actor_label = 'someone else' WHERE organization_id = $1`, [tenant.organizationId])).rejects.toThrow(
      /audit_entries is append-only: UPDATE is not allowed/,
    );
    const after = await pool().query(`SELECT * FROM audit_entries WHERE organization_id = $1 ORDER BY id`, [tenant.organizationId]);
    expect(after.rows).toEqual(before.rows);
  });

  it("rejects DELETE through pg", async () => {
    const before = await entryCount(tenant.organizationId);
    expect(before).toBeGreaterThan(0);
    await expect(pool().query(`DELETE FROM audit_entries WHERE organization_id = $1`, [tenant.organizationId])).rejects.toThrow(
      /audit_entries is append-only: DELETE is not allowed/,
    );
    expect(await entryCount(tenant.organizationId)).toBe(before);
  });

  it("rejects TRUNCATE through pg", async () => {
    const before = await entryCount(tenant.organizationId);
    await expect(pool().query(`TRUNCATE audit_entries`)).rejects.toThrow(/audit_entries is append-only: TRUNCATE is not allowed/);
    expect(await entryCount(tenant.organizationId)).toBe(before);
  });

  it("rejects changes through Prisma", async () => {
    const before = await entryCount(tenant.organizationId);
    await expect(prisma().auditEntry.updateMany({ where: { organizationId: tenant.organizationId }, data: { action: "forged" } })).rejects.toThrow(
      /append-only/,
    );
    await expect(prisma().auditEntry.deleteMany({ where: { organizationId: tenant.organizationId } })).rejects.toThrow(/append-only/);
    expect(await entryCount(tenant.organizationId)).toBe(before);
  });

  it("reports the rejection with SQLSTATE 42501", async () => {
    const error = await pool()
      .query(`DELETE FROM audit_entries WHERE organization_id = $1`, [tenant.organizationId])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "42501" });
  });

  it("deletes entries with their organisation only", async () => {
    const leaving = await createTenant("Leaving organisation");
    const kept = await entryCount(tenant.organizationId);
    expect(await entryCount(leaving.organizationId)).toBeGreaterThan(0);

    await pool().query(`DELETE FROM organizations WHERE id = $1`, [leaving.organizationId]);

    expect(await entryCount(leaving.organizationId)).toBe(0);
    expect(await entryCount(tenant.organizationId)).toBe(kept);
  });
});

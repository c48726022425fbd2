import { describe, expect, it } from "vitest";
import { allowedMethods, forbiddenMethodResponse, repeatedHeaderResponse, unmatchedRouteResponse } from "./unmatched-route";

describe("allowedMethods", () => {
  it("lists the methods of a path with parameters", () => {
    expect(allowedMethods("/v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK")).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH"]);
  });

  it("leaves out HEAD where GET changes state", () => {
    expect(allowedMethods("/v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK/rotate")).toEqual(["GET", "OPTIONS", "POST"]);
    expect(allowedMethods("/v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK/test")).toEqual(["GET", "OPTIONS", "POST"]);
    expect(allowedMethods("/v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK/deliveries/dlv_01KBQ2A9M5X1C8T3V6Q4N7R0JK/replay")).toEqual(["GET", "OPTIONS", "POST"]);
  });

  it("returns null for an unknown path", () => {
    expect(allowedMethods("/v1/webhook")).toBeNull();
    expect(allowedMethods("/v1/webhooks/wh_1/unknown")).toBeNull();
    expect(allowedMethods("/v1")).toBeNull();
  });
});

describe("unmatchedRouteResponse", () => {
  it("lets a served method through", () => {
    expect(unmatchedRouteResponse("POST", "/v1/events", null)).toBeNull();
    expect(unmatchedRouteResponse("HEAD", "/v1/webhooks", null)).toBeNull();
  });

  it("answers an unknown path with a 404 problem", async () => {
    const response = unmatchedRouteResponse("GET", "/v1/nothing-here", "req-1")!;
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json();
    expect(body).toMatchObject({ type: "https://docs.wasviking.com/problems/not-found", status: 404, request_id: "req-1" });
    expect(body.detail).toContain("/v1/nothing-here");
  });

  it("answers another method with a 405 problem and Allow", async () => {
    const response = unmatchedRouteResponse("PUT", "/v1/webhooks", null)!;
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS, POST");
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json();
    expect(body.type).toMatch(/method-not-allowed$/);
    expect(body.detail).toBe("Use GET, HEAD, OPTIONS or POST on this path");
  });

  it("rejects HEAD on rotate with a 405", async () => {
    const response = unmatchedRouteResponse("HEAD", "/v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK/rotate", null)!;
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, OPTIONS, POST");
  });

  it("rejects a path that is not valid percent-encoding", async () => {
    for (const path of ["/v1/webhooks/%", "/v1/webhooks/%E0%A4%A", "/v1/webhooks/%ZZ"]) {
      const response = unmatchedRouteResponse("GET", path, null)!;
      expect(response.status, path).toBe(400);
      expect((await response.json()).type, path).toMatch(/bad-request$/);
    }
  });

  it("answers OPTIONS with the allowed methods", () => {
    const response = unmatchedRouteResponse("OPTIONS", "/v1/events", null)!;
    expect(response.status).toBe(204);
    expect(response.headers.get("allow")).toBe("OPTIONS, POST");
  });
});

describe("forbiddenMethodResponse", () => {
  it("returns a 405 problem for an API path", async () => {
    const response = forbiddenMethodResponse("/v1/webhooks", "req-2");
    expect(response.status).toBe(405);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS, POST");
    const body = await response.json();
    expect(body.type).toMatch(/method-not-allowed$/);
    expect(body.request_id).toBe("req-2");
  });

  it("returns a 404 problem for an unknown API path", async () => {
    const response = forbiddenMethodResponse("/v1/nothing-here", null);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("returns a plain 405 for a portal path", async () => {
    const response = forbiddenMethodResponse("/login", null);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(await response.text()).toBe("Method not allowed\n");
  });

  it("lists in the detail the methods that Allow lists", async () => {
    const response = forbiddenMethodResponse("/v1/webhooks", null);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS, POST");
    expect((await response.json()).detail).toBe("Use GET, HEAD, OPTIONS or POST on this path");
  });

  it("lists the methods of rotate, which has no HEAD", async () => {
    const response = forbiddenMethodResponse("/v1/webhooks/wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK/rotate", null);
    expect(response.headers.get("allow")).toBe("GET, OPTIONS, POST");
    expect((await response.json()).detail).toBe("Use GET, OPTIONS or POST on this path");
  });
});

describe("repeatedHeaderResponse", () => {
  it("answers an API path with a 400 problem naming the header", async () => {
    const response = repeatedHeaderResponse("/v1/events", "Authorization", "req-7");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("x-request-id")).toBe("req-7");
    const body = await response.json();
    expect(body.type).toMatch(/bad-request$/);
    expect(body.detail).toBe('The header "Authorization" appears more than once: send it once');
  });

  it("answers a portal path in plain text", async () => {
    const response = repeatedHeaderResponse("/api/auth/callback/credentials", "Content-Type", null);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe('The header "Content-Type" appears more than once: send it once\n');
  });
});

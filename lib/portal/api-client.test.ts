import { describe, expect, it } from "vitest";
import { ApiProblem, problemMessage } from "./api-client";

const validation = new ApiProblem({
  status: 422,
  type: "https://docs.wasviking.com/problems/validation",
  detail: "2 fields are invalid",
  errors: [
    { field: "url", message: "The URL must use https" },
    { field: "events/0", message: "Invalid option" },
    { field: "events/1", message: "Invalid option" },
  ],
});

describe("ApiProblem.fieldMessage", () => {
  it("returns the message of a field", () => {
    expect(validation.fieldMessage("url")).toBe("The URL must use https");
  });

  it("joins the distinct messages of a list's elements", () => {
    expect(validation.fieldMessage("events")).toBe("Invalid option");
  });

  it("returns nothing for a field without errors", () => {
    expect(validation.fieldMessage("description")).toBeUndefined();
  });

  it("does not match a field that only shares a prefix", () => {
    expect(validation.fieldMessage("ur")).toBeUndefined();
  });
});

describe("problemMessage", () => {
  it("uses the API's detail", () => {
    expect(problemMessage(validation)).toBe("2 fields are invalid");
  });

  it("hides the text of unexpected errors", () => {
    expect(problemMessage(new TypeError("x is undefined"))).toBe("Something went wrong in the portal. Reload the page and try again.");
  });
});

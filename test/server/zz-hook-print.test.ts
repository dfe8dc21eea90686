import { it } from "vitest";
import { preReceiveHook } from "../../src/git/receive-hooks";
it("prints", () => { console.log(preReceiveHook(["feature/*", "$(touch x)", "it's"])); });

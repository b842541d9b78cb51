import { strict as assert } from "node:assert";
import { unionMs } from "../../bench/pulumi-destroy";

describe("bench: the provider's part of a Pulumi command is the union of the users' spans", () => {
  it("counts overlapping spans once, and the gaps between them not at all", () => {
    assert.equal(
      unionMs([
        [0, 10],
        [5, 15],
        [20, 30],
      ]),
      25,
    );
  });

  it("a span inside another adds nothing, whatever the order the spans come in", () => {
    assert.equal(
      unionMs([
        [40, 50],
        [0, 100],
        [10, 20],
      ]),
      100,
    );
    assert.equal(unionMs([]), 0);
  });
});

import { strict as assert } from "node:assert";
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListUserPoliciesCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
} from "@aws-sdk/client-iam";
import { useEmulator } from "../helpers/iam";
import { expectIamError, POLICY_DOC } from "./support";

describe("emulator: groups and policies", () => {
  const env = useEmulator({}, "sdk");
  before(async () => {
    await env.client.send(new CreateUserCommand({ UserName: "gina" }));
    await env.client.send(new CreateUserCommand({ UserName: "paul" }));
  });

  describe("groups", () => {
    it("creates groups and memberships; GetGroup lists members and ListGroupsForUser the groups", async () => {
      const g = (await env.client.send(new CreateGroupCommand({ GroupName: "devs", Path: "/eng/" }))).Group!;
      assert.match(g.GroupId!, /^AGPA[A-Z0-9]{17}$/);
      assert.equal(g.Arn, "arn:aws:iam::123456789012:group/eng/devs");
      await expectIamError(env.client.send(new CreateGroupCommand({ GroupName: "devs" })), "EntityAlreadyExists", 409);
      await env.client.send(new CreateGroupCommand({ GroupName: "ops" }));
      await env.client.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "gina" }));
      await env.client.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "paul" }));
      await env.client.send(new AddUserToGroupCommand({ GroupName: "ops", UserName: "gina" }));
      const got = await env.client.send(new GetGroupCommand({ GroupName: "devs" }));
      assert.equal(got.Group?.GroupName, "devs");
      assert.deepEqual(
        got.Users?.map((u) => u.UserName),
        ["gina", "paul"],
      );
      const forGina = await env.client.send(new ListGroupsForUserCommand({ UserName: "gina" }));
      assert.deepEqual(
        forGina.Groups?.map((x) => x.GroupName),
        ["devs", "ops"],
      );
      const listed = await env.client.send(new ListGroupsCommand({ PathPrefix: "/eng/" }));
      assert.deepEqual(
        listed.Groups?.map((x) => x.GroupName),
        ["devs"],
      );
    });

    it("answers NoSuchEntity for a missing group, user or membership", async () => {
      await expectIamError(
        env.client.send(new AddUserToGroupCommand({ GroupName: "nope", UserName: "gina" })),
        "NoSuchEntity",
        404,
        "The group with name nope cannot be found.",
      );
      await expectIamError(env.client.send(new AddUserToGroupCommand({ GroupName: "ops", UserName: "nobody" })), "NoSuchEntity", 404);
      await expectIamError(env.client.send(new RemoveUserFromGroupCommand({ GroupName: "ops", UserName: "paul" })), "NoSuchEntity", 404);
      await expectIamError(env.client.send(new GetGroupCommand({ GroupName: "nope" })), "NoSuchEntity", 404);
    });

    it("removes a membership from both sides", async () => {
      await env.client.send(new RemoveUserFromGroupCommand({ GroupName: "ops", UserName: "gina" }));
      assert.deepEqual(
        (await env.client.send(new ListGroupsForUserCommand({ UserName: "gina" }))).Groups?.map((x) => x.GroupName),
        ["devs"],
      );
      assert.deepEqual((await env.client.send(new GetGroupCommand({ GroupName: "ops" }))).Users, []);
    });
  });

  describe("managed policies", () => {
    let arn = "";
    it("creates a customer policy; AWS managed policies always exist", async () => {
      const p = (await env.client.send(new CreatePolicyCommand({ PolicyName: "deploy", PolicyDocument: POLICY_DOC, Description: "ci" })))
        .Policy!;
      arn = p.Arn!;
      assert.equal(arn, "arn:aws:iam::123456789012:policy/deploy");
      assert.match(p.PolicyId!, /^ANPA[A-Z0-9]{17}$/);
      assert.equal(p.AttachmentCount, 0);
      assert.equal(p.DefaultVersionId, "v1");
      assert.equal(p.IsAttachable, true);
      await expectIamError(
        env.client.send(new CreatePolicyCommand({ PolicyName: "deploy", PolicyDocument: POLICY_DOC })),
        "EntityAlreadyExists",
        409,
      );
      await expectIamError(
        env.client.send(new CreatePolicyCommand({ PolicyName: "broken", PolicyDocument: "{not json" })),
        "MalformedPolicyDocument",
        400,
      );
      const ro = (await env.client.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }))).Policy!;
      assert.equal(ro.PolicyName, "ReadOnlyAccess");
      await expectIamError(
        env.client.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" })),
        "NoSuchEntity",
        404,
      );
      await expectIamError(env.client.send(new GetPolicyCommand({ PolicyArn: "not-an-arn" })), "InvalidInput", 400);
    });

    it("attaches and detaches, keeping AttachmentCount; attaching twice is a no-op", async () => {
      await env.client.send(new AttachUserPolicyCommand({ UserName: "gina", PolicyArn: arn }));
      await env.client.send(new AttachUserPolicyCommand({ UserName: "gina", PolicyArn: arn }));
      await env.client.send(new AttachUserPolicyCommand({ UserName: "paul", PolicyArn: arn }));
      await env.client.send(
        new AttachUserPolicyCommand({ UserName: "gina", PolicyArn: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess" }),
      );
      assert.equal((await env.client.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount, 2);
      const attached = await env.client.send(new ListAttachedUserPoliciesCommand({ UserName: "gina" }));
      assert.deepEqual(attached.AttachedPolicies, [
        { PolicyName: "deploy", PolicyArn: arn },
        { PolicyName: "ViewOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess" },
      ]);
      const byPath = await env.client.send(new ListAttachedUserPoliciesCommand({ UserName: "gina", PathPrefix: "/job-function/" }));
      assert.deepEqual(
        byPath.AttachedPolicies?.map((p) => p.PolicyName),
        ["ViewOnlyAccess"],
      );
      await env.client.send(new DetachUserPolicyCommand({ UserName: "paul", PolicyArn: arn }));
      assert.equal((await env.client.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount, 1);
      await expectIamError(env.client.send(new DetachUserPolicyCommand({ UserName: "paul", PolicyArn: arn })), "NoSuchEntity", 404);
      await expectIamError(
        env.client.send(new AttachUserPolicyCommand({ UserName: "paul", PolicyArn: "arn:aws:iam::123456789012:policy/ghost" })),
        "NoSuchEntity",
        404,
      );
    });

    it("ListPolicies honours Scope, OnlyAttached and PathPrefix", async () => {
      const local = await env.client.send(new ListPoliciesCommand({ Scope: "Local" }));
      assert.deepEqual(
        local.Policies?.map((p) => p.PolicyName),
        ["deploy"],
      );
      const attached = await env.client.send(new ListPoliciesCommand({ OnlyAttached: true }));
      assert.deepEqual(attached.Policies?.map((p) => p.PolicyName).sort(), ["ViewOnlyAccess", "deploy"]);
      const aws = await env.client.send(new ListPoliciesCommand({ Scope: "AWS", PathPrefix: "/job-function/" }));
      assert.ok(aws.Policies!.length >= 1 && aws.Policies!.every((p) => p.Arn!.startsWith("arn:aws:iam::aws:policy/job-function/")));
    });
  });

  describe("inline user policies", () => {
    it("puts, gets (URL-encoded, as IAM returns it), lists and deletes", async () => {
      await env.client.send(new PutUserPolicyCommand({ UserName: "paul", PolicyName: "read", PolicyDocument: POLICY_DOC }));
      await env.client.send(new PutUserPolicyCommand({ UserName: "paul", PolicyName: "write", PolicyDocument: POLICY_DOC }));
      const got = await env.client.send(new GetUserPolicyCommand({ UserName: "paul", PolicyName: "read" }));
      assert.equal(got.UserName, "paul");
      assert.equal(decodeURIComponent(got.PolicyDocument!), POLICY_DOC);
      assert.notEqual(got.PolicyDocument, POLICY_DOC);
      assert.deepEqual((await env.client.send(new ListUserPoliciesCommand({ UserName: "paul" }))).PolicyNames, ["read", "write"]);
      await env.client.send(new DeleteUserPolicyCommand({ UserName: "paul", PolicyName: "read" }));
      await expectIamError(env.client.send(new DeleteUserPolicyCommand({ UserName: "paul", PolicyName: "read" })), "NoSuchEntity", 404);
      await expectIamError(env.client.send(new GetUserPolicyCommand({ UserName: "paul", PolicyName: "read" })), "NoSuchEntity", 404);
    });

    it("rejects malformed documents and more than 2048 bytes per user", async () => {
      await expectIamError(
        env.client.send(new PutUserPolicyCommand({ UserName: "paul", PolicyName: "bad", PolicyDocument: "[1,2" })),
        "MalformedPolicyDocument",
        400,
      );
      const big = JSON.stringify({
        Statement: [
          { Effect: "Allow", Action: "s3:GetObject", Resource: Array.from({ length: 80 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) },
        ],
      });
      await expectIamError(
        env.client.send(new PutUserPolicyCommand({ UserName: "paul", PolicyName: "big", PolicyDocument: big })),
        "LimitExceeded",
        409,
      );
    });
  });
});

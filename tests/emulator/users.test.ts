import { strict as assert } from "node:assert";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutUserPermissionsBoundaryCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { sdkClientFor, useEmulator } from "../helpers/iam";
import { expectIamError } from "./support";

describe("emulator: users", () => {
  const env = useEmulator({}, "sdk");

  it("creates a user with an IAM-shaped UserId, ARN with path, date, tags and boundary", async () => {
    const out = await env.client.send(
      new CreateUserCommand({
        UserName: "alice",
        Path: "/engineering/",
        Tags: [{ Key: "team", Value: "core" }],
        PermissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess",
      }),
    );
    const u = out.User!;
    assert.match(u.UserId!, /^AIDA[A-Z0-9]{17}$/);
    assert.equal(u.Arn, "arn:aws:iam::123456789012:user/engineering/alice");
    assert.equal(u.Path, "/engineering/");
    assert.ok(u.CreateDate instanceof Date && Math.abs(u.CreateDate.getTime() - Date.now()) < 5000);
    const got = (await env.client.send(new GetUserCommand({ UserName: "alice" }))).User!;
    assert.equal(got.UserId, u.UserId);
    assert.deepEqual(got.Tags, [{ Key: "team", Value: "core" }]);
    assert.deepEqual(got.PermissionsBoundary, {
      PermissionsBoundaryType: "PermissionsBoundaryPolicy",
      PermissionsBoundaryArn: "arn:aws:iam::aws:policy/PowerUserAccess",
    });
  });

  it("refuses a duplicate name (case-insensitively) with 409 EntityAlreadyExists", async () => {
    await expectIamError(
      env.client.send(new CreateUserCommand({ UserName: "alice" })),
      "EntityAlreadyExists",
      409,
      "User with name alice already exists.",
    );
    await expectIamError(env.client.send(new CreateUserCommand({ UserName: "ALICE" })), "EntityAlreadyExists", 409);
  });

  it("validates user names: 1-64 characters of [\\w+=,.@-]", async () => {
    for (const bad of ["has space", "slash/name", "x".repeat(65), "ünïcode"]) {
      await expectIamError(env.client.send(new CreateUserCommand({ UserName: bad })), "ValidationError", 400);
    }
    await expectIamError(env.client.send(new GetUserCommand({ UserName: "bad name" })), "ValidationError", 400);
    const ok = await env.client.send(new CreateUserCommand({ UserName: "a+b=c,d.e@f-g_h" }));
    assert.equal(ok.User?.UserName, "a+b=c,d.e@f-g_h");
    await env.client.send(new CreateUserCommand({ UserName: "x".repeat(64) }));
  });

  it("validates paths", async () => {
    await expectIamError(env.client.send(new CreateUserCommand({ UserName: "pathless", Path: "no-slashes" })), "ValidationError", 400);
  });

  it("answers NoSuchEntity (404) for an unknown user", async () => {
    await expectIamError(
      env.client.send(new GetUserCommand({ UserName: "ghost" })),
      "NoSuchEntity",
      404,
      "The user with name ghost cannot be found.",
    );
  });

  it("GetUser without a name answers for a caller whose key belongs to a user, and ValidationError for other callers", async () => {
    await env.client.send(new CreateUserCommand({ UserName: "self" }));
    const key = (await env.client.send(new CreateAccessKeyCommand({ UserName: "self" }))).AccessKey!;
    const asSelf = sdkClientFor(env.emulator.endpoint, { accessKeyId: key.AccessKeyId });
    assert.equal((await asSelf.send(new GetUserCommand({}))).User?.UserName, "self");
    await expectIamError(
      env.client.send(new GetUserCommand({})),
      "ValidationError",
      400,
      "Must specify userName when calling with non-User credentials",
    );
    asSelf.destroy();
  });

  it("UpdateUser renames and moves a user, keeping its UserId and everything hanging on it", async () => {
    const created = (await env.client.send(new CreateUserCommand({ UserName: "old-name" }))).User!;
    env.emulator.state.addUserToGroup("old-name", "movers");
    const key = env.emulator.state.createAccessKey("old-name");
    await env.client.send(new UpdateUserCommand({ UserName: "old-name", NewUserName: "new-name", NewPath: "/moved/" }));
    await expectIamError(env.client.send(new GetUserCommand({ UserName: "old-name" })), "NoSuchEntity", 404);
    const renamed = (await env.client.send(new GetUserCommand({ UserName: "new-name" }))).User!;
    assert.equal(renamed.UserId, created.UserId);
    assert.equal(renamed.Arn, "arn:aws:iam::123456789012:user/moved/new-name");
    const keys = await env.client.send(new ListAccessKeysCommand({ UserName: "new-name" }));
    assert.deepEqual(
      keys.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.UserName]),
      [[key.accessKeyId, "new-name"]],
    );
    const groups = await env.client.send(new ListGroupsForUserCommand({ UserName: "new-name" }));
    assert.deepEqual(
      groups.Groups?.map((g) => g.GroupName),
      ["movers"],
    );
    await expectIamError(
      env.client.send(new UpdateUserCommand({ UserName: "new-name", NewUserName: "alice" })),
      "EntityAlreadyExists",
      409,
    );
  });

  it("ListUsers filters by PathPrefix and leaves out tags and boundary, as AWS does", async () => {
    const out = await env.client.send(new ListUsersCommand({ PathPrefix: "/engineering/" }));
    assert.deepEqual(
      out.Users?.map((u) => u.UserName),
      ["alice"],
    );
    assert.equal(out.Users?.[0].Tags, undefined);
    assert.equal(out.Users?.[0].PermissionsBoundary, undefined);
    assert.equal(out.IsTruncated, false);
  });

  it("tags and untags a user; ListUserTags lists them; more than 50 tags is LimitExceeded", async () => {
    await env.client.send(new CreateUserCommand({ UserName: "taggy" }));
    await env.client.send(
      new TagUserCommand({
        UserName: "taggy",
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "b", Value: "2" },
        ],
      }),
    );
    await env.client.send(new TagUserCommand({ UserName: "taggy", Tags: [{ Key: "a", Value: "changed" }] }));
    await env.client.send(new UntagUserCommand({ UserName: "taggy", TagKeys: ["b"] }));
    const tags = await env.client.send(new ListUserTagsCommand({ UserName: "taggy" }));
    assert.deepEqual(tags.Tags, [{ Key: "a", Value: "changed" }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await expectIamError(env.client.send(new TagUserCommand({ UserName: "taggy", Tags: many })), "LimitExceeded", 409);
    await expectIamError(env.client.send(new TagUserCommand({ UserName: "ghost", Tags: [{ Key: "a", Value: "1" }] })), "NoSuchEntity", 404);
  });

  it("puts and deletes a permissions boundary; an unknown policy is NoSuchEntity", async () => {
    await env.client.send(new CreateUserCommand({ UserName: "bounded" }));
    await expectIamError(
      env.client.send(
        new PutUserPermissionsBoundaryCommand({ UserName: "bounded", PermissionsBoundary: "arn:aws:iam::123456789012:policy/missing" }),
      ),
      "NoSuchEntity",
      404,
    );
    await env.client.send(
      new PutUserPermissionsBoundaryCommand({ UserName: "bounded", PermissionsBoundary: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
    );
    assert.equal(
      (await env.client.send(new GetUserCommand({ UserName: "bounded" }))).User?.PermissionsBoundary?.PermissionsBoundaryArn,
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
    await env.client.send(new DeleteUserPermissionsBoundaryCommand({ UserName: "bounded" }));
    assert.equal((await env.client.send(new GetUserCommand({ UserName: "bounded" }))).User?.PermissionsBoundary, undefined);
  });
});

import { strict as assert } from "node:assert";
import { CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { pointIamEndpointAt, useEmulator } from "../helpers/iam";
import { expectIamError, rawCall } from "./support";

const XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe("emulator: Query protocol and XML shapes", () => {
  const env = useEmulator({}, "sdk");

  it("answers a result-bearing action as <XResponse><XResult>..</XResult><ResponseMetadata>", async () => {
    const r = await rawCall(env.emulator.endpoint, { Action: "CreateUser", UserName: "wire-user", Path: "/team/" });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/xml/);
    assert.ok(r.body.startsWith(`<CreateUserResponse xmlns="${XMLNS}"><CreateUserResult><User>`), r.body);
    assert.match(r.body, /<UserName>wire-user<\/UserName>/);
    assert.match(r.body, /<UserId>AIDA[A-Z0-9]{17}<\/UserId>/);
    assert.match(r.body, /<Arn>arn:aws:iam::123456789012:user\/team\/wire-user<\/Arn>/);
    assert.match(r.body, /<CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/CreateDate>/);
    const m = /<ResponseMetadata><RequestId>([^<]+)<\/RequestId><\/ResponseMetadata><\/CreateUserResponse>$/.exec(r.body);
    assert.ok(m, r.body);
    assert.match(m[1], UUID);
    assert.equal(r.headers.get("x-amzn-requestid"), m[1]);
  });

  it("answers an action without output with ResponseMetadata only", async () => {
    const r = await rawCall(env.emulator.endpoint, { Action: "DeleteUser", UserName: "wire-user" });
    assert.equal(r.status, 200);
    assert.match(
      r.body,
      new RegExp(
        `^<DeleteUserResponse xmlns="${XMLNS}"><ResponseMetadata><RequestId>[^<]+</RequestId></ResponseMetadata></DeleteUserResponse>$`,
      ),
    );
  });

  it("answers errors in AWS's ErrorResponse shape with the real code and status", async () => {
    const r = await rawCall(env.emulator.endpoint, { Action: "GetUser", UserName: "nobody" });
    assert.equal(r.status, 404);
    assert.match(
      r.body,
      new RegExp(
        `^<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
          `<Message>The user with name nobody cannot be found.</Message></Error><RequestId>[^<]+</RequestId></ErrorResponse>$`,
      ),
    );
  });

  it("gives every answer its own request id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++)
      ids.add((await rawCall(env.emulator.endpoint, { Action: "ListUsers" })).headers.get("x-amzn-requestid") ?? "");
    assert.equal(ids.size, 5);
  });

  it("renders lists as <member> elements", async () => {
    await rawCall(env.emulator.endpoint, { Action: "CreateUser", UserName: "m1" });
    await rawCall(env.emulator.endpoint, { Action: "CreateUser", UserName: "m2" });
    const r = await rawCall(env.emulator.endpoint, { Action: "ListUsers" });
    assert.match(
      r.body,
      /<ListUsersResult><Users><member><Path>\/<\/Path><UserName>m1<\/UserName>.*<\/member><member>.*<UserName>m2<\/UserName>.*<\/member><\/Users><IsTruncated>false<\/IsTruncated><\/ListUsersResult>/,
    );
  });

  it("reads list parameters sent as Name.member.N.Field", async () => {
    const r = await rawCall(env.emulator.endpoint, {
      Action: "CreateUser",
      UserName: "tagged-raw",
      "Tags.member.2.Key": "second",
      "Tags.member.2.Value": "2",
      "Tags.member.1.Key": "first",
      "Tags.member.1.Value": "1",
    });
    assert.match(
      r.body,
      /<Tags><member><Key>first<\/Key><Value>1<\/Value><\/member><member><Key>second<\/Key><Value>2<\/Value><\/member><\/Tags>/,
    );
  });

  it("escapes XML special characters and the SDK reads them back", async () => {
    const value = `a<b>&"c'`;
    await env.client.send(new CreateUserCommand({ UserName: "escaped", Tags: [{ Key: "k", Value: value }] }));
    const got = await env.client.send(new GetUserCommand({ UserName: "escaped" }));
    assert.equal(got.User?.Tags?.[0].Value, value);
  });

  it("answers unknown actions and versions with 400 InvalidAction, and a missing action with MissingAction", async () => {
    const unknown = await rawCall(env.emulator.endpoint, { Action: "CreateRocket" });
    assert.equal(unknown.status, 400);
    assert.match(
      unknown.body,
      /<Code>InvalidAction<\/Code><Message>Could not find operation CreateRocket for version 2010-05-08<\/Message>/,
    );
    const version = await rawCall(env.emulator.endpoint, { Action: "ListUsers", Version: "2099-01-01" });
    assert.equal(version.status, 400);
    assert.match(version.body, /<Code>InvalidAction<\/Code>/);
    const missing = await rawCall(env.emulator.endpoint, {});
    assert.equal(missing.status, 400);
    assert.match(missing.body, /<Code>MissingAction<\/Code>/);
  });

  it("accepts the parameters in a GET query string as well", async () => {
    const res = await fetch(`${env.emulator.endpoint}/?Action=GetUser&Version=2010-05-08&UserName=m1`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<GetUserResult><User>.*<UserName>m1<\/UserName>/);
  });

  it("records the access key id from the SigV4 Authorization header", async () => {
    env.emulator.clearLog();
    await rawCall(
      env.emulator.endpoint,
      { Action: "ListUsers" },
      {
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDCALLER123/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=abc",
      },
    );
    assert.equal(env.emulator.log[0].accessKeyId, "AKIDCALLER123");
  });

  it("works for an SDK client that finds the endpoint in AWS_ENDPOINT_URL_IAM", async () => {
    const restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint);
    try {
      const client = new IAMClient({
        region: "us-east-1",
        credentials: { accessKeyId: "envcaller", secretAccessKey: "y" },
        maxAttempts: 1,
      });
      env.emulator.clearLog();
      const out = await client.send(new ListUsersCommand({}));
      assert.ok(out.Users?.some((u) => u.UserName === "m1"));
      assert.equal(env.emulator.log[0].accessKeyId, "envcaller");
      await expectIamError(client.send(new GetUserCommand({ UserName: "nobody" })), "NoSuchEntity", 404);
      client.destroy();
    } finally {
      restoreEndpoint();
    }
  });
});

/**
 * Imported first by every test (mocha's root setup), the demo and the benchmark: fixed dummy credentials and region,
 * so the SDK's default chain never reaches for instance metadata or a real account. They only ever talk to loopback
 * servers they start themselves.
 */
process.env.AWS_ACCESS_KEY_ID = "AKIDTESTTESTTEST0000";
process.env.AWS_SECRET_ACCESS_KEY = "test-secret-not-real";
process.env.AWS_REGION = "us-east-1";
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_ENDPOINT_URL_IAM;
delete process.env.AWS_ENDPOINT_URL;
process.env.AWS_EC2_METADATA_DISABLED = "true";

/**
 * Imported first by every bench entry point: fixed dummy credentials and region, so the AWS SDK's default chain never
 * reaches for instance metadata, a profile or a real account. The bench only ever talks to the loopback emulator it
 * starts itself.
 */
process.env.AWS_ACCESS_KEY_ID = "AKIDBENCHBENCH000000";
process.env.AWS_SECRET_ACCESS_KEY = "bench-secret-not-real";
process.env.AWS_REGION = "us-east-1";
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_ENDPOINT_URL_IAM;
delete process.env.AWS_ENDPOINT_URL;
process.env.AWS_EC2_METADATA_DISABLED = "true";

export {};

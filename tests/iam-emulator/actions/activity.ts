// What IAM knows of a user's use: GetAccessKeyLastUsed and the service last-accessed job
// (GenerateServiceLastAccessedDetails, then GetServiceLastAccessedDetails until COMPLETED).

import { OrderedIndex } from "../paging";
import { list, noSuchEntity, requireParam, validationError } from "../protocol";
import { type ActionTable, pageOf, param } from "./common";

export const activityActions: ActionTable = {
  GetAccessKeyLastUsed(ctx) {
    const id = requireParam(ctx.params, "AccessKeyId");
    ctx.resource = id;
    const owner = ctx.state.userForAccessKey(id);
    if (!owner) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
    ctx.userName = owner.userName;
    const use = ctx.state.activity.keyLastUsed(id);
    return {
      UserName: owner.userName,
      AccessKeyLastUsed: use
        ? { LastUsedDate: use.date, ServiceName: use.service, Region: use.region }
        : { ServiceName: "N/A", Region: "N/A" },
    };
  },

  GenerateServiceLastAccessedDetails(ctx) {
    const arn = requireParam(ctx.params, "Arn");
    const granularity = param(ctx, "Granularity");
    if (granularity !== undefined && granularity !== "SERVICE_LEVEL" && granularity !== "ACTION_LEVEL") {
      throw validationError(
        `1 validation error detected: Value '${granularity}' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [SERVICE_LEVEL, ACTION_LEVEL]`,
      );
    }
    ctx.resource = arn;
    const job = ctx.state.activity.generateJob(arn);
    ctx.userName = ctx.state.users.toArray().find((u) => u.arn === arn)?.userName;
    return { JobId: job.jobId };
  },

  GetServiceLastAccessedDetails(ctx) {
    const jobId = requireParam(ctx.params, "JobId");
    ctx.resource = jobId;
    const job = ctx.state.activity.pollJob(jobId);
    const base = { JobStatus: job.status, JobType: "SERVICE_LEVEL", JobCreationDate: job.created };
    if (job.status === "IN_PROGRESS") return { ...base, ServicesLastAccessed: list([]), IsTruncated: false };
    const rows = new OrderedIndex<NonNullable<typeof job.rows>[number]>();
    let seq = 0;
    for (const r of job.rows ?? []) rows.set(r.serviceNamespace, r, ++seq);
    const page = pageOf(ctx, rows, (r) => ({
      ServiceName: r.serviceName,
      LastAuthenticated: r.lastAuthenticated,
      ServiceNamespace: r.serviceNamespace,
      LastAuthenticatedEntity: r.lastAuthenticatedEntity,
      LastAuthenticatedRegion: r.lastAuthenticatedRegion,
      TotalAuthenticatedEntities: 1,
    }));
    return {
      ...base,
      JobCompletionDate: job.completed,
      ServicesLastAccessed: page.items,
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
};

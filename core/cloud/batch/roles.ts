// IAM roles a Batch compute environment and its jobs need, created once by `batch setup` (or adopted
// when they already exist): the Batch service role, the ECS instance role + instance profile of the
// spot instances, and the job role (S3 read/write under the studio's prefix only).
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';

export const ROLE_NAMES = {
  service: 'mtl-studio-batch-service',
  instance: 'mtl-studio-batch-instance',
  job: 'mtl-studio-batch-job',
} as const;

const trust = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

const notFound = (e: unknown) =>
  (e as { name?: string }).name === 'NoSuchEntityException' ||
  (e as { name?: string }).name === 'NoSuchEntity';

/** The role's ARN, creating it with the trust and managed policies when missing. */
export async function ensureRole(
  iam: IAMClient,
  name: string,
  service: string,
  managedPolicies: string[],
  inline?: { name: string; document: object },
): Promise<{ arn: string; created: boolean }> {
  let arn: string;
  let created = false;
  try {
    arn = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Arn!;
  } catch (e) {
    if (!notFound(e)) throw e;
    arn = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: trust(service),
          Description: 'mtl-studio AWS Batch (created by `mtl-studio batch setup`)',
          Tags: [{ Key: 'mtl-studio', Value: 'true' }],
        }),
      )
    ).Role!.Arn!;
    created = true;
  }
  // Idempotent: also completes a role left half-made by an interrupted setup.
  for (const p of managedPolicies)
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: p }));
  if (inline)
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: inline.name,
        PolicyDocument: JSON.stringify(inline.document),
      }),
    );
  return { arn, created };
}

/** Instance profile of the same name holding the role (what a compute environment's instanceRole names). */
export async function ensureInstanceProfile(
  iam: IAMClient,
  name: string,
): Promise<{ arn: string; created: boolean }> {
  try {
    const p = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile!;
    if (!p.Roles?.some((r) => r.RoleName === name))
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
    return { arn: p.Arn!, created: false };
  } catch (e) {
    if (!notFound(e)) throw e;
  }
  const p = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name })))
    .InstanceProfile!;
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
  return { arn: p.Arn!, created: true };
}

/** The job role's policy: objects under the studio's prefix in one bucket, nothing else. */
export const jobS3Policy = (bucket: string, prefix: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: `arn:aws:s3:::${bucket}/${prefix}/*`,
    },
    {
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringLike: { 's3:prefix': [`${prefix}/*`] } },
    },
  ],
});

export async function deleteRole(iam: IAMClient, name: string): Promise<void> {
  try {
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
    for (const p of attached.AttachedPolicies ?? [])
      await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: p.PolicyArn }));
    const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: name }));
    for (const p of inline.PolicyNames ?? [])
      await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: p }));
    await iam.send(new DeleteRoleCommand({ RoleName: name }));
  } catch (e) {
    if (!notFound(e)) throw e;
  }
}

export async function deleteInstanceProfile(iam: IAMClient, name: string): Promise<void> {
  try {
    const p = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile!;
    for (const r of p.Roles ?? [])
      await iam.send(
        new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: r.RoleName }),
      );
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }));
  } catch (e) {
    if (!notFound(e)) throw e;
  }
}

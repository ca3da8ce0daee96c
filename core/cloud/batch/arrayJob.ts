// Batch array job ids: the children of an array job of size ≥ 2 are `<jobId>:<i>`; a one-run sweep
// is submitted as a plain job (Batch refuses arrays of size 1), its only child the job itself.
export const childJobId = (h: { jobId: string; size: number }, index: number): string =>
  h.size > 1 ? `${h.jobId}:${index}` : h.jobId;

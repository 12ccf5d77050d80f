/** The schema of a lab's run-time state file (src/runtime/runtime-state.ts).
 * Apart so that zod is loaded only when there is a file to check. */
import { z } from 'zod';

const impairmentFields = z
  .object({
    loss: z.number().min(0).max(1),
    corruption: z.number().min(0).max(1),
    duplicate: z.number().min(0).max(1),
    rateKbit: z.number().int().min(0),
    burst: z.number().int().min(0),
    delayUs: z.number().int().min(0),
    jitterUs: z.number().int().min(0),
  })
  .partial()
  .strict();

export const schema = z
  .object({
    version: z.literal(1),
    /** Cut wires by id. `restoring`: `link up` started and apply finishes it. */
    cuts: z.record(
      z.string(),
      z.object({
        since: z.string(),
        phase: z.enum(['down', 'restoring']),
        /** The root-netns ports taken down (destroy brings them up again). */
        ports: z.array(z.string()),
      }).strict(),
    ),
    /** Impairment overrides by direction (`<wire id>#a|b`): the fields set at
     * run time, which replace the topology labels' until `impair reset`. */
    impair: z.record(z.string(), impairmentFields),
    /** Root-netns ports that carry an fq qdisc of ours (for a delay). */
    fq: z.array(z.string()).default([]),
  })
  .strict();

export type RuntimeState = z.infer<typeof schema>;

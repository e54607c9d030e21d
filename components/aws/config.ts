import { z } from "zod";

// Project keys `aws.<name>`; filled in by the aws stack.
export const awsSchema = z.object({}).strict();

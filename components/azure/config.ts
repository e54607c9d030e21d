import { z } from "zod";

// Project keys `azure.<name>`; filled in by the azure stack.
export const azureSchema = z.object({}).strict();

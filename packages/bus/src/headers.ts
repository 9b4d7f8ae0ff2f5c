import { SCHEMA_HEADER } from "@outlier/contracts";

/** Headers every produced record carries: the contract version of its JSON value. */
export function headersFor(schema: string): Record<string, string> {
  return { [SCHEMA_HEADER]: schema };
}

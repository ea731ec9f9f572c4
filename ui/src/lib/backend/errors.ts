import type { AppErrorDto } from "./bindings";

/** Every rejected command carries `{code, message}`; anything else is an internal error. */
export function toAppError(e: unknown): AppErrorDto {
  if (typeof e === "object" && e !== null && "message" in e) {
    const message = String((e as { message: unknown }).message);
    const code = "code" in e ? String((e as { code: unknown }).code) : "internal";
    return { code, message };
  }
  return { code: "internal", message: typeof e === "string" ? e : String(e) };
}
